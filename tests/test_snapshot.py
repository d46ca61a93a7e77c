"""Snapshots: the touched sets as Canvas has them, written as a private spec that restores."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from reconciler.errors import ConfigError
from reconciler.model import CourseState, Enrollment, Group, GroupSet, Roster, User
from reconciler.ops import CreateGroupSet, FieldChange, SetMembers, UpdateGroup, UpdateGroupSet
from reconciler.plan import build_plan
from reconciler.snapshot import snapshot_state, write_snapshot
from reconciler.spec import load_text

ROSTER = Roster(users=tuple(
    User(id=uid, login_id=f"s{uid:02d}", enrollments=(Enrollment(type="StudentEnrollment"),))
    for uid in (1, 2, 3)))
TEAMS = GroupSet(name="Teams", canvas_id=5, group_limit=4, groups=(
    Group(name="Team 1", canvas_id=51, members=frozenset({1, 2}), max_membership=4,
          join_level="invitation_only"),))
OTHER = GroupSet(name="Other", canvas_id=6)
NOW = CourseState(course_id=101, group_sets=(TEAMS, OTHER))
PLAN = build_plan([
    UpdateGroupSet("Squads", 5, (FieldChange("name", "Teams", "Squads"),), {"name": "Teams"}),
    UpdateGroup("Squads", "Squad 1", 51, (FieldChange("name", "Team 1", "Squad 1"),)),
    SetMembers("Squads", "Squad 1", 51, frozenset({3}), frozenset({3}), frozenset({1, 2})),
    CreateGroupSet("Labs", {"name": "Labs"})], NOW, {}, members_by="login_id")


def test_the_snapshot_holds_the_touched_sets_under_their_names_now() -> None:
    state = snapshot_state(PLAN, NOW)
    teams, labs = state.group_sets
    assert (teams.name, teams.previous_names) == ("Teams", ("Squads",))
    assert [(g.name, g.previous_names, g.members) for g in teams.groups] == [
        ("Team 1", ("Squad 1",), frozenset({1, 2}))]
    assert (labs.name, labs.absent) == ("Labs", True)  # created by the plan: restore removes it


def test_the_snapshot_file_is_a_private_spec(tmp_path: Path) -> None:
    moment = datetime(2026, 12, 1, 21, 4, 55, tzinfo=UTC)
    path = write_snapshot(PLAN, NOW, ROSTER, tmp_path / "snaps", moment)
    again = write_snapshot(PLAN, NOW, ROSTER, tmp_path / "snaps", moment)
    assert (path.name, again.name) == ("101-20261201T210455Z.yaml", "101-20261201T210455Z-2.yaml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    spec = load_text(text, str(path))
    teams = yaml.safe_load(text)["group_sets"][0]
    assert teams["previous_names"] == ["Squads"] and teams["groups"][0]["members"] == ["s01", "s02"]
    assert [s.name for s in spec.document.group_sets] == ["Teams", "Labs"]


def test_an_unwritable_snapshot_stops_the_apply(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot write the snapshot .* nothing was written"):
        write_snapshot(PLAN, NOW, ROSTER, blocker / "snaps")
