"""What a terminal gets, and what a pipe does not: colours, the progress line, the
confirmation prompt (declined, or Ctrl-C), and a word when Canvas throttles."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.sandbox import SandboxServer
from tests.conftest import SandboxFactory

from .helpers import categories, write_spec
from .terminal import cli_env, on_terminal, piped

GREEN, YELLOW, RED = "\x1b[32m", "\x1b[33m", "\x1b[31m"
TEAMS = """\
    course: 101
    group_sets:
      - name: Project Teams
        groups:
""" + "".join(f"""\
          - name: Team {n}
            members: [s{n:02d}]
""" for n in range(1, 9))


def test_a_plan_is_coloured_on_a_terminal(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    ran = on_terminal(["plan", str(spec)], cli_env(sandbox))
    assert ran.code == 0, ran.output
    assert f'{GREEN}+ group set "Project Teams"' in ran.output


def test_no_colour_when_piped_with_no_color_or_with_the_option(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    runs = [piped(["plan", str(spec)], cli_env(sandbox)),
            on_terminal(["plan", str(spec)], cli_env(sandbox, NO_COLOR="1")),
            on_terminal(["plan", str(spec), "--no-color"], cli_env(sandbox)),
            on_terminal(["--no-color", "plan", str(spec)], cli_env(sandbox))]
    for ran in runs:
        assert ran.code == 0, ran.output
        assert "+ group set" in ran.output and "\x1b[" not in ran.output


def test_errors_are_red_on_a_terminal(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    ran = on_terminal(["plan", str(spec)], {**cli_env_without_url(), "CANVAS_API_TOKEN": "t"})
    assert ran.code == 1
    assert f"{RED}Error:" in ran.output and "no Canvas URL" in ran.output


def cli_env_without_url() -> dict[str, str]:
    import os
    return {k: v for k, v in os.environ.items()
            if k not in ("NO_COLOR", "CANVAS_BASE_URL", "CANVAS_API_TOKEN")}


def test_apply_shows_progress_on_a_terminal_and_plain_lines_when_piped(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    live = on_terminal(["apply", str(spec), "--auto-approve", "--no-bulk"],
                       cli_env(sandbox_factory()))
    assert live.code == 0, live.output
    assert "\r\x1b[K[1/17]" in live.output and "[17/17]" in live.output
    assert "Apply complete: 17 operations done." in live.output

    plain = piped(["apply", str(spec), "--auto-approve", "--no-bulk"],
                  cli_env(sandbox_factory()))
    assert plain.code == 0, plain.output
    assert "[1/17]" not in plain.output and "\r" not in plain.output
    assert plain.output.count("  done    ") == 17


def test_declining_the_prompt_exits_1_and_writes_nothing(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    ran = on_terminal(["apply", str(spec)], cli_env(sandbox),
                      typing=[("Only 'yes' will be accepted", "no\r")])
    assert ran.code == 1, ran.output
    assert "Apply cancelled; nothing was written." in ran.output
    assert "Project Teams" not in categories(sandbox)
    assert "Traceback" not in ran.output


def test_ctrl_c_at_the_prompt_aborts_at_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    ran = on_terminal(["apply", str(spec)], cli_env(sandbox),
                      typing=[("Only 'yes' will be accepted", "\x03")], timeout=20)
    assert ran.code == 1, ran.output
    assert "Apply cancelled; nothing was written." in ran.output
    assert "Project Teams" not in categories(sandbox)
    assert "Traceback" not in ran.output and "Aborted." in ran.output


@pytest.mark.parametrize(("typed", "said"), [("\x04", "Aborted."), ("no\r", "")],
                         ids=["ctrl-d", "no"])
def test_end_of_input_or_another_answer_at_the_prompt_writes_nothing(
        sandbox: SandboxServer, tmp_path: Path, typed: str, said: str) -> None:
    spec = write_spec(tmp_path, TEAMS)
    ran = on_terminal(["apply", str(spec)], cli_env(sandbox),
                      typing=[("Only 'yes' will be accepted", typed)], timeout=20)
    assert ran.code == 1, ran.output
    assert "Apply cancelled; nothing was written." in ran.output and said in ran.output
    assert "Project Teams" not in categories(sandbox)
    assert "Traceback" not in ran.output


def test_retries_are_announced_on_a_terminal_and_only_logged_when_piped(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    args = ["plan", str(spec), "--concurrency", "1"]
    ran = on_terminal(args, cli_env(sandbox_factory(fail_rate=0.15, fail_seed=0)))
    assert ran.code == 0, ran.output
    assert "Canvas did not answer (" in ran.output and "(retry 1 of 4)" in ran.output
    quiet = piped(args, cli_env(sandbox_factory(fail_rate=0.15, fail_seed=0)))
    assert quiet.code == 0 and "did not answer" not in quiet.output
