"""The token never appears in any output: success paths, failure paths, every format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.sandbox import SandboxServer

from .helpers import write_spec
from .test_plan_apply import TEAMS

SECRET = "7~SECRETtokenVALUE0123456789abcdefSECRET"


def invoke(server_url: str, token: str, *args: str) -> str:
    env = {"CANVAS_BASE_URL": server_url, "CANVAS_API_TOKEN": token}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.fixture
def secret_sandbox(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_factory(token=SECRET)


def commands(spec: Path, out: Path) -> list[tuple[str, ...]]:
    return [("validate", str(spec)), ("-vv", "plan", str(spec)),
            ("plan", str(spec), "--format", "json"),
            ("plan", str(spec), "--out", str(out.with_name("saved.json"))),
            ("plan", str(spec), "--format", "markdown"), ("apply", str(spec), "--auto-approve"),
            ("export", "--course", "101", "-o", str(out)), ("export", "--course", "999")]


def test_token_never_printed_on_success_or_failure(
        secret_sandbox: SandboxServer, tmp_path: Path, caplog: Any) -> None:
    caplog.set_level("DEBUG")
    spec = write_spec(tmp_path, TEAMS)
    bad_spec = write_spec(tmp_path, "course: 101\ngroup_sets: [{name: X, groups: 3}]\n", "bad.yaml")
    out = tmp_path / "export.yaml"
    outputs = [invoke(secret_sandbox.base_url, SECRET, *c) for c in commands(spec, out)]
    outputs += [invoke(secret_sandbox.base_url, SECRET, "plan", str(bad_spec))]
    outputs += [invoke(secret_sandbox.base_url, SECRET + "x", "-vv", "plan", str(spec))]
    outputs += [invoke("http://canvas.example.edu", SECRET, "plan", str(spec))]
    assert any("Invalid access token" in o or "token" in o.lower() for o in outputs[-2:])
    assert any("GET /api/v1/courses/101/users -> 200" in o for o in outputs)  # -vv logged
    saved = out.with_name("saved.json").read_text(encoding="utf-8")
    for text in [*outputs, out.read_text(encoding="utf-8"), saved, caplog.text]:
        assert SECRET not in text
        assert SECRET[:12] not in text


def test_a_token_file_with_a_line_break_inside_is_refused_without_echoing_it(
        tmp_path: Path, secret_sandbox: SandboxServer) -> None:
    token = tmp_path / "token"
    token.write_text(SECRET.replace("VALUE", "VALUE\n"), encoding="utf-8")
    token.chmod(0o600)
    spec = write_spec(tmp_path, TEAMS)
    result = CliRunner().invoke(cli, ["plan", str(spec), "--token-file", str(token)],
                                env={"CANVAS_BASE_URL": secret_sandbox.base_url,
                                     "CANVAS_API_TOKEN": None})
    assert result.exit_code == 1
    assert "spaces or control characters" in result.output
    assert "SECRET" not in result.output
