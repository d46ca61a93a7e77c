"""export → plan is empty; the demo; `sandbox serve` persisting state across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.sandbox import SandboxServer

from .helpers import run, write_spec
from .test_plan_apply import TEAMS


def test_export_then_plan_shows_no_changes(sandbox: SandboxServer, tmp_path: Path) -> None:
    assert run(sandbox, "apply", str(write_spec(tmp_path, TEAMS)), "--auto-approve").exit_code == 0
    out = tmp_path / "exported.yaml"
    exported = run(sandbox, "export", "--course", "101", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    names = {s["name"] for s in doc["group_sets"]}
    assert {"Project Teams", "Lab Pairs"} <= names
    assert "Student Groups" not in names
    again = run(sandbox, "plan", str(out), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output


def test_export_by_sis_course_id_and_sis_user_id(sandbox: SandboxServer, tmp_path: Path) -> None:
    out = tmp_path / "sis.yaml"
    result = run(sandbox, "export", "--course", "sis_course_id:DEMO-101",
                 "--members-by", "sis_user_id", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "20260001" in text and "s01" not in text
    assert run(sandbox, "plan", str(out), "--detailed-exitcode").exit_code == 0


def test_demo_runs_plan_apply_plan() -> None:
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Plan:" in result.output
    assert "Apply complete" in result.output
    assert result.output.rstrip().endswith("No changes. Canvas matches the spec.")


def test_separate_processes_share_the_sandbox_state(tmp_path: Path) -> None:
    state = tmp_path / "canvas.json"
    spec = write_spec(tmp_path, TEAMS)
    env = {**os.environ, "CANVAS_API_TOKEN": "sandbox-token"}

    def serve_and(*commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
        server = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0",
             "--state", str(state)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            return [subprocess.run([sys.executable, "-m", "reconciler", *c],
                                   env={**env, "CANVAS_BASE_URL": url}, capture_output=True,
                                   text=True, timeout=60) for c in commands]
        finally:
            server.terminate()
            server.wait(timeout=10)

    applied, = serve_and(["apply", str(spec), "--auto-approve"])
    assert applied.returncode == 0, applied.stdout + applied.stderr
    planned, = serve_and(["plan", str(spec), "--detailed-exitcode"])
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "No changes." in planned.stdout
