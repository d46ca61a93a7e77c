"""The library API against the emulator: docs/api.md's example view converges and prints
nothing; apply's failures carry their report; a reviewed plan is refused once Canvas moved."""

from __future__ import annotations

import logging
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import reconciler
from examples import django_view
from examples.django_view import TeamMember
from reconciler.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
TEAMS = {"Team A": ["s01", "s02"], "Team B": ["s03", "s04", "s05"], "Team C": ["s06"]}


@pytest.fixture
def app(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """The example app pointed at the emulator, with the teams above in its table."""
    monkeypatch.setenv("CANVAS_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("CANVAS_API_TOKEN", sandbox.token)
    rows = [TeamMember(101, team, login) for team, logins in TEAMS.items() for login in logins]
    monkeypatch.setattr(django_view, "TEAM_MEMBERS", rows)
    django_view.canvas.cache_clear()
    yield sandbox
    django_view.canvas.cache_clear()


@pytest.fixture
def unconfigured_logging() -> Iterator[logging.Logger]:
    """The `reconciler` logger as an application that configured no logging has it (a CLI
    test run earlier in this process may have given it a handler and a level)."""
    library = logging.getLogger("reconciler")
    handlers, level = library.handlers[:], library.level
    library.handlers.clear()
    library.setLevel(logging.NOTSET)
    yield library
    library.handlers[:] = handlers
    library.setLevel(level)


def _view(method: str) -> dict[str, Any]:
    return django_view.sync_groups(SimpleNamespace(method=method), 101)


def _groups(server: SandboxServer, set_name: str) -> dict[str, set[str]]:
    state = server.state
    category = state.category_by_name(101, set_name)
    assert category is not None
    return {g.name: {state.user(uid).login_id or "" for uid in state.member_ids(g.id)}
            for g in state.groups(category.id)}


def test_the_example_view_converges_and_prints_nothing(
        app: SandboxServer, capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture, unconfigured_logging: logging.Logger) -> None:
    sigint = signal.getsignal(signal.SIGINT)
    planned = _view("GET")
    applied = _view("POST")
    again = _view("GET")

    assert planned["status"] == "planned"
    assert applied == {"status": "applied", "changes": planned["changes"]}
    assert applied["changes"][:2] == ["create group set 'Project Teams'",
                                      "create group 'Team A' in 'Project Teams'"]
    assert "set members of 'Team B' in 'Project Teams': +3 -0" in applied["changes"]
    assert again == {"status": "planned", "changes": []}
    assert _groups(app, "Project Teams") == {k: set(v) for k, v in TEAMS.items()}

    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert caplog.records == []  # not even INFO: the caller configured no logging
    library = unconfigured_logging  # and the library configured none either
    assert (library.handlers, library.level) == ([], logging.NOTSET)
    assert signal.getsignal(signal.SIGINT) is sigint


def test_the_example_view_moves_a_student_refuses_a_deletion_and_names_unknown_logins(
        app: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _view("POST")["status"] == "applied"
    rows = django_view.TEAM_MEMBERS
    moved = [TeamMember(101, "Team C", "s05") if row.login_id == "s05" else row for row in rows]
    monkeypatch.setattr(django_view, "TEAM_MEMBERS", moved)
    assert _view("POST") == {"status": "applied", "changes": [
        "set members of 'Team B' in 'Project Teams': +0 -1",
        "set members of 'Team C' in 'Project Teams': +1 -0"]}
    assert _groups(app, "Project Teams")["Team C"] == {"s05", "s06"}

    no_team_c = [row for row in moved if row.team != "Team C"]
    monkeypatch.setattr(django_view, "TEAM_MEMBERS", no_team_c)
    answer = _view("POST")
    assert answer["status"] == "refused" and "deletes 1 group" in answer["error"]
    assert "Team C" in _groups(app, "Project Teams")  # nothing was written

    unknown = [*moved, TeamMember(101, "Team A", "s99")]
    monkeypatch.setattr(django_view, "TEAM_MEMBERS", unknown)
    answer = _view("GET")
    assert answer["status"] == "invalid"
    assert any("no user in the course has login_id 's99'" in p for p in answer["problems"])


def test_the_docs_show_exactly_the_example_file() -> None:
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    source = (ROOT / "examples" / "django_view.py").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- examples/django_view.py -->\n```python\n(.*?)```", docs,
                        re.DOTALL)
    assert blocks == [source]


# --- apply's outcomes --------------------------------------------------------------------

def _spec(groups: int = 3, size: int = 2) -> reconciler.Spec:
    return reconciler.load_spec({"course": 101, "group_sets": [{"name": "Studios", "groups": [
        {"name": f"Studio {n + 1}", "members": [f"s{size * n + k + 1:02d}" for k in range(size)]}
        for n in range(groups)]}]})


def _client(server: SandboxServer) -> reconciler.CanvasClient:
    return reconciler.connect(server.base_url, server.token)


def test_a_plan_applies_with_progress_and_an_empty_plan_needs_no_canvas(
        sandbox: SandboxServer) -> None:
    canvas = _client(sandbox)
    plan = reconciler.plan(_spec(), canvas)
    seen: list[tuple[str, str]] = []
    report = reconciler.apply(plan, canvas,
                              on_progress=lambda op, outcome: seen.append((op.describe(),
                                                                           outcome.status)))
    assert report.ok and len(report.done) == len(plan.operations) == len(seen)
    # one call per operation, as each finishes (side by side: not necessarily plan order)
    assert sorted(seen) == sorted((op.describe(), "done") for op, _ in report.done)

    empty = reconciler.plan(_spec(), canvas)
    assert empty.is_empty and empty.operations == ()
    nowhere = reconciler.connect("https://canvas.invalid", "7~unused")
    nothing = reconciler.apply(empty, nowhere)
    assert nothing.ok and nothing.counts() == {"done": 0, "failed": 0, "skipped": 0}


def test_a_failure_mid_way_raises_apply_error_with_the_report(sandbox: SandboxServer) -> None:
    canvas = _client(sandbox)
    plan = reconciler.plan(_spec(groups=10), canvas)  # ten new groups to fill: one CSV import
    sandbox.state.import_config.fail_next = 1
    with pytest.raises(reconciler.ApplyError) as info:
        reconciler.apply(plan, canvas)
    report = info.value.report
    assert isinstance(report, reconciler.ApplyReport)
    assert [op.describe() for op, _ in report.done] == ["create group set 'Studios'"]
    assert [type(op).__name__ for op, _ in report.failed] == ["ImportMembers"]
    assert not isinstance(info.value, reconciler.ConvergenceError)

    again = reconciler.plan(_spec(groups=10), canvas)  # a re-run plans only what is left
    assert reconciler.apply(again, canvas).ok
    assert reconciler.plan(_spec(groups=10), canvas).is_empty


def test_members_canvas_drops_raise_convergence_error_with_the_residual(
        sandbox: SandboxServer) -> None:
    canvas = _client(sandbox)
    plan = reconciler.plan(_spec(groups=1), canvas)
    for enrollment in sandbox.state.enrollments(101, 1002):  # s02 leaves the course
        enrollment.state = "deleted"
    with pytest.raises(reconciler.ConvergenceError) as info:
        reconciler.apply(plan, canvas)
    assert info.value.report.ok  # every write was done; Canvas dropped s02 silently
    residual = info.value.residual
    assert isinstance(residual, reconciler.Plan)
    [op] = residual.to_dict()["operations"]
    assert op["add"] == [1002]


def test_a_reviewed_plan_is_refused_once_canvas_moved(sandbox: SandboxServer) -> None:
    canvas = _client(sandbox)
    spec = reconciler.load_spec({"course": 101, "group_sets": [
        {"name": "Lab Pairs", "groups": [{"name": "Pair 1", "members": ["s01", "s07"]}]}]})
    saved = reconciler.plan(spec, canvas).to_dict()  # stored while someone reviews it
    plan = reconciler.Plan.from_dict(saved)
    assert plan.to_dict() == saved

    with pytest.raises(reconciler.UnsafePlanError, match="allow"):  # it deletes Pair 2
        reconciler.apply(plan, canvas)
    pair_1 = sandbox.state.group_by_name(502, "Pair 1")
    assert pair_1 is not None
    sandbox.state.add_membership(pair_1.id, 1009)  # a TA adds s09 by hand meanwhile
    with pytest.raises(reconciler.StalePlanError) as info:
        reconciler.apply(plan, canvas, allow_delete=True)
    assert info.value.changes
