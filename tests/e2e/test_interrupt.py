"""Ctrl-C during a real `reconciler apply` process: stop after the request in flight, report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from .helpers import write_spec
from .test_plan_apply import TEAMS


def test_ctrl_c_stops_after_the_request_in_flight_and_reports(tmp_path: Path) -> None:
    state = tmp_path / "canvas.json"
    server = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0",
         "--state", str(state), "--latency-ms", "150"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        env = {**os.environ, "CANVAS_BASE_URL": url, "CANVAS_API_TOKEN": "sandbox-token",
               "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "reconciler", "apply",
                   str(write_spec(tmp_path, TEAMS)), "--auto-approve"]
        apply = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert apply.stdout is not None
        for line in apply.stdout:
            if line.strip().startswith("done"):
                apply.send_signal(signal.SIGINT)
                break
        out, err = apply.communicate(timeout=60)
        assert apply.returncode == 1, out + err
        assert "interrupt received: finishing the requests in flight" in err
        assert "skipped" in out and ": interrupted" in out
        assert "apply stopped short" in err
        assert "Traceback" not in err

        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert "Canvas matches the spec" in rerun.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
