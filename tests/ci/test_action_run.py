"""action.yml run end to end, as the runner would run it (harness.py), with the real
reconciler against the Canvas emulator and a stand-in for `gh`: the specs a pull request
changed are planned, the plan lands in the job summary and in one comment (created, then
updated), errors fail the job after the comment is posted, and the token stays out of the log.

Most runs plan one spec; one plans two courses in one run (the CLI's many-course output)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import SandboxServer

from .harness import ROOT, Run, commit_files, fake_gh, gh_calls, git, new_repo, run_action

MINIMAL = (ROOT / "specs" / "minimal.yaml").read_text(encoding="utf-8")
OTHER = "course: 202\ngroup_sets:\n  - name: Pairs\n    groups:\n      - name: P1\n" \
        "        members: [e01, e02]\n"
BAD = "course: 101\ngroup_sets:\n  - name: A\n    groups:\n      - name: G\n" \
      "        memberz: [s01]\n"
MARK = "<!-- reconciler:plan -->"
SECRET = "7~SECRETtokenVALUE0123456789abcdefSECRET"


def pull_request(tmp_path: Path, changes: dict[str, str | None]) -> tuple[Path, dict[str, Any]]:
    """A workspace checked out at a pull request's head, and the pull_request event."""
    repo = new_repo(tmp_path / "workspace")
    base = commit_files(repo, {"README.md": "groups\n", "specs/other.yaml": OTHER}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    head = commit_files(repo, changes, "the pull request")
    event = {"pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}}
    return repo, event


def inputs_for(server: SandboxServer, **more: str) -> dict[str, str]:
    return {"canvas-url": server.base_url, "canvas-token": server.token, **more}


def posted(gh_dir: Path) -> list[tuple[str, str, str]]:
    """(method, path, body) of each write the action made through gh."""
    writes = []
    for call in gh_calls(gh_dir):
        argv = call["argv"]
        if "--method" in argv:
            method = argv[argv.index("--method") + 1]
            writes.append((method, argv[argv.index("--method") + 2],
                           json.loads(call["stdin"])["body"]))
    return writes


def test_a_pull_request_gets_its_plan_in_a_comment_and_the_summary(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"specs/minimal.yaml": MINIMAL,
                                               "README.md": "changed\n"})
    gh_dir = fake_gh(tmp_path / "bin", [[]])
    run = run_action(workspace, inputs=inputs_for(sandbox), event=event, extra_path=gh_dir)
    assert run.failed is None, run.log
    assert (run.output("exitcode"), run.output("has-changes")) == ("2", "true")
    assert run.output("specs") == "specs/minimal.yaml"  # not specs/other.yaml: unchanged
    assert "### reconciler plan: changes to apply" in run.summary
    assert '+ group set "Study Buddies"' in run.summary
    calls = gh_calls(gh_dir)
    assert calls[0]["argv"] == ["api", "--paginate", "repos/school/groups/issues/7/comments"
                                "?per_page=100"]
    assert {c["token"] for c in calls} == {"fake-github-token"}
    [(method, path, body)] = posted(gh_dir)
    assert (method, path) == ("POST", "repos/school/groups/issues/7/comments")
    assert body == f"{MARK}\n" + Path(run.output("report")).read_text(encoding="utf-8")
    assert '+ group set "Study Buddies"' in body


def test_two_changed_specs_are_planned_in_one_run_with_a_section_each(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"specs/minimal.yaml": MINIMAL,
                                               "specs/other.yaml": OTHER + "# touched\n"})
    gh_dir = fake_gh(tmp_path / "bin", [[]])
    run = run_action(workspace, inputs=inputs_for(sandbox), event=event, extra_path=gh_dir)
    assert run.failed is None, run.log
    assert run.output("exitcode") == "2"
    assert sorted(run.output("specs").split()) == ["specs/minimal.yaml", "specs/other.yaml"]
    assert "2 courses: 2 with changes, 0 without changes." in run.summary
    assert "#### `specs/minimal.yaml` (course 101)" in run.summary
    assert "#### `specs/other.yaml` (course 202)" in run.summary


def test_the_next_push_updates_the_same_comment(sandbox: SandboxServer, tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"specs/minimal.yaml": MINIMAL})
    ours = {"id": 55, "body": f"{MARK}\nold plan", "user": {"type": "Bot"}}
    gh_dir = fake_gh(tmp_path / "bin", [[{"id": 1, "body": "LGTM", "user": {"type": "User"}}],
                                        [ours]])
    run = run_action(workspace, inputs=inputs_for(sandbox), event=event, extra_path=gh_dir)
    assert run.failed is None, run.log
    [(method, path, body)] = posted(gh_dir)
    assert (method, path) == ("PATCH", "repos/school/groups/issues/comments/55")
    assert body.startswith(f"{MARK}\n### reconciler plan: changes to apply")


def secret_run(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path,
               spec: str) -> tuple[Run, Path]:
    server = sandbox_factory(token=SECRET)
    workspace, event = pull_request(tmp_path, {"specs/minimal.yaml": spec})
    gh_dir = fake_gh(tmp_path / "bin", [[]])
    return run_action(workspace, inputs=inputs_for(server), event=event, extra_path=gh_dir), gh_dir


def test_an_error_is_commented_then_fails_the_job(
        sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> None:
    run, gh_dir = secret_run(sandbox_factory, tmp_path, BAD)
    assert run.failed == "result"
    assert (run.output("exitcode"), run.output("has-changes")) == ("1", "false")
    assert "::error::reconciler plan failed (exit code 1)" in run.log
    assert "### reconciler plan: failed (exit 1)" in run.summary
    assert "specs/minimal.yaml:6:9: unknown key 'memberz'" in run.summary
    [(_method, _path, body)] = posted(gh_dir)
    assert "specs/minimal.yaml:6:9" in body


def test_the_token_is_only_ever_shown_to_the_runner_to_be_masked(
        sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> None:
    run, gh_dir = secret_run(sandbox_factory, tmp_path, MINIMAL)
    assert run.output("exitcode") == "2", run.log
    assert [line for line in run.log.splitlines() if SECRET in line] == [f"::add-mask::{SECRET}"]
    for text in [run.summary, *(json.dumps(c) for c in gh_calls(gh_dir))]:
        assert SECRET not in text


def test_no_changed_spec_plans_nothing_and_posts_nothing_new(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"specs/rosters/notes.md": "not a roster\n"})
    gh_dir = fake_gh(tmp_path / "bin", [[]])
    run = run_action(workspace, inputs=inputs_for(sandbox), event=event, extra_path=gh_dir)
    assert run.failed is None, run.log
    assert (run.output("exitcode"), run.output("has-changes"), run.output("specs")) == (
        "0", "false", "")
    assert "no spec files changed, nothing to plan" in run.summary
    assert "::group::" not in run.log  # reconciler never ran
    assert posted(gh_dir) == []


def test_no_changed_spec_still_updates_an_earlier_comment(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"README.md": "only this\n"})
    gh_dir = fake_gh(tmp_path / "bin", [[{"id": 9, "body": f"{MARK}\nstale plan",
                                          "user": {"type": "Bot"}}]])
    run = run_action(workspace, inputs=inputs_for(sandbox), event=event, extra_path=gh_dir)
    [(method, path, body)] = posted(gh_dir)
    assert (method, path, run.failed) == ("PATCH", "repos/school/groups/issues/comments/9", None)
    assert "no spec files changed" in body


def test_without_a_token_the_job_fails_and_says_why(tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"specs/minimal.yaml": MINIMAL})
    gh_dir = fake_gh(tmp_path / "bin", [[]])
    run = run_action(workspace, inputs={"canvas-url": "https://canvas.example.edu",
                                        "canvas-token": ""}, event=event, extra_path=gh_dir)
    assert run.failed == "result"
    assert "::error::canvas-token is empty" in run.log
    assert "pull requests from forks are given no secrets" in run.summary


def test_a_comment_that_cannot_be_posted_is_a_warning(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"specs/minimal.yaml": MINIMAL})
    gh_dir = fake_gh(tmp_path / "bin", [[]])
    (gh_dir / "FAIL").write_text("", encoding="utf-8")
    run = run_action(workspace, inputs=inputs_for(sandbox), event=event, extra_path=gh_dir)
    assert run.failed is None
    assert "::warning::could not post the plan comment" in run.log
    assert "Resource not accessible by integration" in run.log


def test_a_push_to_main_applies_the_spec_it_changed(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "workspace")
    before = commit_files(repo, {"specs/other.yaml": OTHER}, "before")
    after = commit_files(repo, {"specs/minimal.yaml": MINIMAL}, "merge")
    gh_dir = fake_gh(tmp_path / "bin", [[]])
    run = run_action(repo, inputs=inputs_for(sandbox, command="apply"), event_name="push",
                     event={"before": before, "after": after}, extra_path=gh_dir)
    assert run.failed is None, run.log
    assert (run.output("exitcode"), run.output("specs")) == ("0", "specs/minimal.yaml")
    assert "### reconciler apply: applied" in run.summary
    assert gh_calls(gh_dir) == []  # no pull request, no comment
    again = run_action(repo, inputs=inputs_for(sandbox), event_name="push",
                       event={"before": before, "after": after}, extra_path=gh_dir)
    assert (again.output("exitcode"), again.output("has-changes")) == ("0", "false")
    assert "### reconciler plan: no changes" in again.summary


@pytest.mark.parametrize("changed_only", ["true", "false"])
def test_a_scheduled_run_plans_every_spec(sandbox: SandboxServer, tmp_path: Path,
                                          changed_only: str) -> None:
    repo = new_repo(tmp_path / "workspace")
    commit_files(repo, {"specs/minimal.yaml": MINIMAL}, "specs")
    run = run_action(repo, inputs=inputs_for(sandbox, **{"changed-only": changed_only,
                                                         "comment": "false"}),
                     event_name="schedule", event={"schedule": "17 5 * * *"})
    assert (run.output("exitcode"), run.output("has-changes")) == ("2", "true"), run.log
    assert run.output("specs") == "specs/minimal.yaml"
