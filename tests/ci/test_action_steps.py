"""action/steps.py piece by piece: which specs a run covers, the command line it builds, the
report it writes and the comment it finds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import commit_files, git, load_steps, new_repo

steps = load_steps()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = ["specs/a.yaml", "specs/b.yml", "specs/nested/c.yaml", "specs/rosters/r.csv",
             "specs/.reconciler/snapshots/old.yaml", "specs/README.md", "other/d.yaml",
             "-dash.yaml"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("course: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("text", "entries"), [
    ("specs/", ["specs/"]),
    ("specs/a.yaml other/", ["specs/a.yaml", "other/"]),
    ("specs/a.yaml\n  other/\n", ["specs/a.yaml", "other/"]),
    ("'my specs/x.yaml' y.yaml # a comment", ["my specs/x.yaml", "y.yaml"]),
    ("", []),
])
def test_the_specs_input_splits_on_spaces_and_lines(text: str, entries: list[str]) -> None:
    assert steps.parse_entries(text) == entries


@pytest.mark.parametrize(("entries", "expected"), [
    (["specs"], ["specs/a.yaml", "specs/b.yml", "specs/nested/c.yaml"]),
    (["specs/", "specs/a.yaml"], ["specs/a.yaml", "specs/b.yml", "specs/nested/c.yaml"]),
    (["./other/d.yaml", "specs/a.yaml"], ["other/d.yaml", "specs/a.yaml"]),
    (["specs/*.yaml"], ["specs/a.yaml"]),
    (["**/*.yaml"], ["-dash.yaml", "other/d.yaml", "specs/a.yaml", "specs/nested/c.yaml"]),
    (["spec*"], ["specs/a.yaml", "specs/b.yml", "specs/nested/c.yaml"]),
    (["nothing/*.yaml"], []),
])
def test_directories_and_globs_expand_to_sorted_spec_files(
        tree: Path, entries: list[str], expected: list[str]) -> None:
    assert steps.expand(entries) == expected


def test_a_missing_path_is_an_error_naming_it(tree: Path) -> None:
    with pytest.raises(steps.Problem, match="'specz/': no such file or directory"):
        steps.expand(["specz/"])


PR = {"pull_request": {"number": 7, "base": {"sha": "b" * 40}, "head": {"sha": "h" * 40}}}


@pytest.mark.parametrize(("event_name", "event", "expected"), [
    ("pull_request", PR, f"{'b' * 40}...{'h' * 40}"),
    ("push", {"before": "1" * 40, "after": "2" * 40}, f"{'1' * 40}..{'2' * 40}"),
    ("push", {"before": "0" * 40, "after": "2" * 40}, None),  # a new branch
    ("schedule", {}, None),
    ("workflow_dispatch", {"inputs": {}}, None),
])
def test_the_range_a_change_covers(event_name: str, event: dict[str, Any],
                                   expected: str | None) -> None:
    assert steps.diff_range(event_name, event) == expected


@pytest.mark.parametrize(("touched", "expected"), [
    (None, ["s/a.yaml", "s/b.yaml"]),
    (set(), []),
    ({"s/b.yaml", "README.md", "s/gone.yaml"}, ["s/b.yaml"]),
    ({"s/rosters/team.csv"}, ["s/a.yaml", "s/b.yaml"]),
])
def test_choose_takes_the_touched_specs_or_all_when_a_csv_changed(
        touched: set[str] | None, expected: list[str]) -> None:
    chosen, _why = steps.choose(["s/a.yaml", "s/b.yaml"], touched)
    assert chosen == expected


def test_changed_files_of_a_pull_request_leave_out_the_bases_later_commits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(tmp_path / "repo")
    commit_files(repo, {"specs/a.yaml": "1", "specs/b.yaml": "1", "specs/c.yaml": "1"}, "base")
    fork_point = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "topic")
    head = commit_files(repo, {"specs/a.yaml": "2", "specs/c.yaml": None,
                               "specs/renamed.yaml": "1"}, "topic")
    git(repo, "checkout", "-q", "main")
    base = commit_files(repo, {"specs/b.yaml": "2"}, "main moves on")
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")  # paths come back relative to the working directory
    assert steps.changed_files(f"{base}...{head}") == {
        "../specs/a.yaml", "../specs/c.yaml", "../specs/renamed.yaml"}
    assert steps.changed_files(f"{fork_point}..{base}") == {"../specs/b.yaml"}
    assert steps.changed_files(f"{'e' * 40}...{head}") is None  # not in this clone


@pytest.mark.parametrize(("env", "tail"), [
    ({"COMMAND": "plan"}, ["--format", "markdown", "--detailed-exitcode"]),
    ({"COMMAND": "apply"}, ["--auto-approve"]),
    ({"COMMAND": "apply", "ALLOW_DELETE": "true"}, ["--auto-approve", "--allow-delete"]),
    ({"COMMAND": "plan", "ARGS": "--group-set\nProject Teams\n\n"},
     ["--format", "markdown", "--detailed-exitcode", "--group-set", "Project Teams"]),
])
def test_the_command_line(env: dict[str, str], tail: list[str]) -> None:
    argv = steps.command_line({"RECONCILER": "/venv/bin/reconciler", **env},
                              ["specs/a.yaml", "-dash.yaml"])
    assert argv == ["/venv/bin/reconciler", env["COMMAND"], "specs/a.yaml", "./-dash.yaml",
                    *tail]


def test_an_unknown_command_is_refused() -> None:
    with pytest.raises(steps.Problem, match="'destroy' is neither"):
        steps.command_line({"COMMAND": "destroy"}, ["a.yaml"])


def test_the_report_holds_the_plan_the_messages_and_where_it_came_from() -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
           "GITHUB_RUN_ID": "9", "GITHUB_SHA": "abcdef0123"}
    report = steps.compose("plan", 1, "#### course 101\n", "Error: ``` odd\n", ["a", "b"], env)
    assert report.startswith("### reconciler plan: failed (exit 1)\n\n#### course 101\n")
    assert "<details open><summary>Messages</summary>" in report
    assert "````text\nError: ``` odd\n````" in report  # a fence longer than any inside
    assert report.endswith(
        "<sub>2 spec files at abcdef0 · [workflow run](https://github.com/o/r/actions/runs/9)"
        "</sub>\n")
    applied = steps.compose("apply", 0, "done: 3 operations\n", "", ["a"], {})
    assert applied == ("### reconciler apply: applied\n\n```text\ndone: 3 operations\n```\n\n"
                       "<sub>1 spec file</sub>\n")


def test_a_long_report_is_cut_and_says_where_the_rest_is() -> None:
    cut = steps.truncate("x" * 100, 10, "see the summary")
    assert cut == "xxxxxxxxxx\n\n*… cut at 10 characters: see the summary.*\n"
    assert steps.truncate("short", 10, "-") == "short"


def test_outputs_survive_values_with_line_breaks(tmp_path: Path) -> None:
    from .harness import parse_outputs
    out = tmp_path / "out"
    steps.set_outputs({"GITHUB_OUTPUT": str(out)}, specs="a.yaml\nb.yaml", has_changes="true")
    assert parse_outputs(out.read_text()) == {"specs": "a.yaml\nb.yaml", "has-changes": "true"}


@pytest.mark.parametrize(("key", "mark"), [
    ("plan", "<!-- reconciler:plan -->"),
    ("", "<!-- reconciler:plan -->"),
    ("staging --> <b>", "<!-- reconciler:staging------b- -->"),
])
def test_the_marker_cannot_be_broken_out_of(key: str, mark: str) -> None:
    assert steps.marker(key) == mark


def test_the_comment_found_is_the_bots_own_across_pages() -> None:
    mark = "<!-- reconciler:plan -->"
    pages = ('[{"id": 1, "body": "quoting <!-- reconciler:plan -->", "user": {"type": "Bot"}},'
             ' {"id": 2, "body": "<!-- reconciler:plan -->\\nhi", "user": {"type": "User"}}]\n'
             '[{"id": 3, "body": "<!-- reconciler:plan -->\\nplan", "user": {"type": "Bot"}}]')
    assert steps.find_comment(steps.json_values(pages), mark) == 3
    assert steps.find_comment(steps.json_values("[]"), mark) is None


def test_the_token_is_masked_line_by_line(capsys: pytest.CaptureFixture[str]) -> None:
    steps.mask_token({"CANVAS_API_TOKEN": "abc\ndef"})
    assert capsys.readouterr().out == "::add-mask::abc\n::add-mask::def\n"


def test_annotations_keep_to_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    steps.annotate("error", "two\nlines 100%")
    assert capsys.readouterr().out == "::error::two%0Alines 100%25\n"


def test_enterprise_server_gets_its_host_and_token() -> None:
    env = steps._gh_env({"GH_TOKEN_INPUT": "t", "GITHUB_SERVER_URL": "https://ghe.school.edu"})
    assert (env["GH_HOST"], env["GH_ENTERPRISE_TOKEN"], env["GH_TOKEN"]) == (
        "ghe.school.edu", "t", "t")
    assert steps._gh_env({"GH_TOKEN_INPUT": "t"})["GH_TOKEN"] == "t"


def test_a_runner_without_gh_gets_a_warning_not_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no gh here
    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"number": 3}}', encoding="utf-8")
    env = {"GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "o/r", "COUNT": "1"}
    assert steps.comment(env) == 0
    assert "::warning::could not post the plan comment" in capsys.readouterr().out
