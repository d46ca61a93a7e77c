"""Exit codes (docs/cli.md): 0 success or no changes, 2 changes (only with
--detailed-exitcode), 1 every error, usage errors included; never a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler import engine
from reconciler.cli import cli
from reconciler.sandbox import SandboxServer

from .helpers import run, write_spec

TEAMS = """\
    course: 101
    group_sets:
      - name: Project Teams
        groups:
          - name: Team 1
            members: [s01]
    """


def _bare(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"CANVAS_BASE_URL": None,
                                                      "CANVAS_API_TOKEN": None})
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.mark.parametrize("args, says", [
    (["plan", "spces/x.yaml", "--detailed-exitcode"], "does not exist"),
    (["plan"], "Missing argument"),
    (["plan", ".", "--format", "yaml"], "Invalid value for '--format'"),
    (["plan", ".", "--no-such-option"], "No such option"),
    (["no-such-command"], "No such command"),
    (["apply", ".", "--concurrency", "0"], "Invalid value for '--concurrency'"),
    (["sandbox", "serve", "--fail-rate", "2"], "not in the range 0<=x<=1"),
])
def test_usage_errors_exit_1(args: list[str], says: str) -> None:
    code, output = _bare(*args)
    assert code == 1, output
    assert says in output and "Traceback" not in output


def test_help_and_version_exit_0() -> None:
    assert _bare("--help")[0] == 0
    assert _bare("plan", "--help")[0] == 0
    assert _bare("--version")[0] == 0


def test_configuration_and_spec_errors_exit_1(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    code, output = _bare("plan", str(spec))
    assert (code, "no Canvas URL" in output) == (1, True)
    bad = write_spec(tmp_path, "course: 101\ngroup_sets: [{name: X, colour: red}]\n", "bad.yaml")
    code, output = _bare("validate", str(bad))
    assert code == 1 and "bad.yaml:2" in output


def test_detailed_exitcode(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 2
    assert run(sandbox, "plan", str(spec)).exit_code == 0
    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 0
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 0


def test_global_options_after_the_command(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    token = tmp_path / "token"
    token.write_text(sandbox.token, encoding="utf-8")
    token.chmod(0o600)
    result = CliRunner().invoke(cli, ["plan", str(spec), "--canvas-url", sandbox.base_url,
                                      "--token-file", str(token), "-v", "--no-color",
                                      "--concurrency", "2"],
                                env={"CANVAS_BASE_URL": None, "CANVAS_API_TOKEN": None})
    assert result.exit_code == 0, result.output
    assert "+ group set \"Project Teams\"" in result.output
    # after the command wins over before it
    result = CliRunner().invoke(cli, ["--canvas-url", "https://wrong.invalid", "plan",
                                      str(spec), "--canvas-url", sandbox.base_url],
                                env={"CANVAS_API_TOKEN": sandbox.token})
    assert result.exit_code == 0, result.output


def test_an_unexpected_error_is_a_message_and_a_private_crash_file(
        sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write_spec(tmp_path, TEAMS)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine, "make_plan", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = run(sandbox, "plan", str(spec))
    assert result.exit_code == 1
    assert "unexpected internal error (RuntimeError)" in result.output
    assert "Traceback" not in result.output
    crash = next(tmp_path.glob("reconciler-crash-*.log"))
    assert stat.S_IMODE(crash.stat().st_mode) == 0o600
    assert "RuntimeError: a bug" in crash.read_text(encoding="utf-8")


def test_sandbox_serve_failures_exit_1_without_a_traceback(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    corrupt = tmp_path / "state.json"
    corrupt.write_text("{not json", encoding="utf-8")
    port = sandbox.base_url.rsplit(":", 1)[1]
    env = {**os.environ}
    for args, says in [(["--port", port], "the port is already in use"),
                       (["--state", str(corrupt)], "is not an emulator state file")]:
        done = subprocess.run([sys.executable, "-m", "reconciler", "sandbox", "serve", *args],
                              capture_output=True, text=True, timeout=30, env=env)
        assert done.returncode == 1, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr


def test_sandbox_on_every_interface_prints_a_url_reconciler_accepts(tmp_path: Path) -> None:
    server = subprocess.Popen([sys.executable, "-m", "reconciler", "sandbox", "serve",
                               "--host", "0.0.0.0", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        spec = write_spec(tmp_path, TEAMS)
        done = subprocess.run([sys.executable, "-m", "reconciler", "plan", str(spec)],
                              env={**os.environ, "CANVAS_BASE_URL": url,
                                   "CANVAS_API_TOKEN": "sandbox-token"},
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert "every interface" in err
