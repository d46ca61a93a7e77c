"""Run the real CLI in a subprocess on a pseudo-terminal (stdin, stdout and stderr all a
tty), typing into it, or with pipes; return what it printed and its exit code."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.sandbox import SandboxServer


@dataclass
class Ran:
    code: int
    output: str  # stdout and stderr as the terminal showed them


def cli_env(server: SandboxServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return {**env, "CANVAS_BASE_URL": server.base_url, "CANVAS_API_TOKEN": server.token,
            "COLUMNS": "100", **extra}


def _own_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty, so a
    typed Ctrl-C is a SIGINT, as in a real terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # as a shell starts a command: Ctrl-C deliverable and not ignored, whatever the test
    # process inherited or left behind (a fresh clone's run once had it so, now and then)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def on_terminal(args: Sequence[str], env: dict[str, str], *,
                typing: Sequence[tuple[str, str]] = (), timeout: float = 60) -> Ran:
    """`typing`: (wait for this text, then type this) pairs, in order."""
    controller, tty = os.openpty()
    process = subprocess.Popen([sys.executable, "-m", "reconciler", *args], stdin=tty,
                               stdout=tty, stderr=tty, env={**env, "PYTHONFAULTHANDLER": "1"},
                               close_fds=True,
                               preexec_fn=_own_terminal)
    os.close(tty)
    seen, pending = b"", list(typing)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            while pending and pending[0][0].encode() in seen:
                os.write(controller, pending.pop(0)[1].encode())
            if not ready and process.poll() is not None:
                break
        try:
            code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError("the command did not end; it printed, then its threads' "
                                 "stacks:\n" + _stacks(process, controller, seen)) from None
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    return Ran(code, seen.decode("utf-8", "replace"))


def _stacks(process: subprocess.Popen[bytes], controller: int, seen: bytes) -> str:
    """What a hung child printed, and the stacks faulthandler prints on SIGABRT."""
    process.send_signal(signal.SIGABRT)
    try:
        while select.select([controller], [], [], 1.0)[0]:
            seen += os.read(controller, 65536)
    except OSError:
        pass
    return seen.decode("utf-8", "replace")


def piped(args: Sequence[str], env: dict[str, str]) -> Ran:
    done = subprocess.run([sys.executable, "-m", "reconciler", *args], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return Ran(done.returncode, done.stdout + done.stderr)
