"""The emulator in a subprocess (`reconciler sandbox serve`), so a benchmark's own process
measures only the client: its memory, its threads, its CPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.cli.commands_sandbox import DEFAULT_SANDBOX_TOKEN
from reconciler.sandbox import EmulatorState
from reconciler.sandbox.persist import save_state

ROOT = Path(__file__).resolve().parents[1]
TOKEN = DEFAULT_SANDBOX_TOKEN
STATE_FILE = "emulator-state.json"


def child_env() -> dict[str, str]:
    """The environment for a child Python that must import `benchmarks` and `reconciler`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def save(state: EmulatorState, workdir: Path) -> Path:
    """Write `state` where `serve` can load it; returns the file."""
    state_file = workdir / STATE_FILE
    save_state(state, state_file)
    return state_file


@contextmanager
def serve(state_file: Path, *, latency_ms: float = 0, throttle: bool = False) -> Iterator[str]:
    """Serve a saved state from a child process and yield its base URL; the child is
    terminated (then killed if it lingers) on the way out."""
    command = [sys.executable, "-m", "reconciler", "sandbox", "serve", "--state",
               str(state_file), "--port", "0", "--latency-ms", f"{latency_ms:g}"]
    if throttle:
        command.append("--throttle")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,
                                   text=True, env=child_env(), cwd=ROOT)
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            if not base_url.startswith("http"):
                process.wait(timeout=10)
                errors.seek(0)
                raise RuntimeError("the emulator did not start: "
                                   + errors.read().decode(errors="replace"))
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
