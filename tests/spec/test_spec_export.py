"""export_spec: the live course as a spec; loading it back gives the same state."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.model import CourseState, Group, GroupSet, MemberKind, Roster
from reconciler.spec import export_spec, load_text, resolve

LIVE = CourseState(course_id=101, group_sets=(
    GroupSet(name="Project Teams", self_signup="enabled", auto_leader="first", group_limit=4,
             sis_id="0012", canvas_id=7, groups=(
                 Group(name="Team 1", description="yes", max_membership=4,
                       join_level="invitation_only", sis_id="G-1", canvas_id=70,
                       members=frozenset({1001, 1002, 1020}), leader=1002),
                 Group(name="null", canvas_id=71, members=frozenset({1018, 1019}),
                       join_level="parent_context_auto_join"),
                 Group(name="Empty: team", canvas_id=72, members=frozenset(),
                       join_level="invitation_only"),
             )),
    GroupSet(name="Student Groups", protected=True, canvas_id=8, groups=(
        Group(name="Self", canvas_id=80, members=frozenset({1003})),)),
    GroupSet(name="Lab Pairs", canvas_id=9),
))


def shape(state: CourseState) -> list[dict[str, Any]]:
    """The value-level content: names, fields, members and leaders (not Canvas ids)."""
    return [{
        "name": s.name, "self_signup": s.self_signup, "auto_leader": s.auto_leader,
        "group_limit": s.group_limit, "sis_id": s.sis_id,
        "groups": [{
            "name": g.name, "description": g.description, "max_membership": g.max_membership,
            "join_level": g.join_level, "sis_id": g.sis_id, "members": g.members,
            "leader": g.leader,
        } for g in s.groups],
    } for s in state.group_sets if not s.protected]


@pytest.mark.parametrize("members_by", ["login_id", "sis_user_id", "email", "canvas_id"])
def test_export_round_trip(members_by: MemberKind, roster: Roster) -> None:
    text = export_spec(LIVE, roster, course=101, members_by=members_by)
    back = resolve(load_text(text, "export.yaml"), roster, 101)
    assert shape(back) == shape(LIVE)
    for group_set in back.group_sets:
        assert group_set.managed == {"self_signup", "auto_leader", "group_limit", "sis_id"}
        assert group_set.unmanaged_groups == "delete"
        for group in group_set.groups:
            assert group.managed == {"description", "max_membership", "join_level", "sis_id",
                                     "leader"}


def test_export_skips_protected_sets_and_falls_back_to_canvas_ids(roster: Roster) -> None:
    text = export_spec(LIVE, roster, course="sis_course_id:DEMO-101", members_by="email")
    assert "Student Groups" not in text
    assert "members: [s01@example.edu, s02@example.edu, {canvas_id: 1020}]" in text
    assert "members: [{canvas_id: 1018}, {canvas_id: 1019}]" in text  # shared email
    assert load_text(text, "export.yaml").course == "sis_course_id:DEMO-101"


def test_export_quotes_values_yaml_would_misread(roster: Roster) -> None:
    text = export_spec(LIVE, roster, course=101)
    assert "sis_id: '0012'" in text
    assert "description: 'yes'" in text
    assert "name: 'null'" in text


def test_export_leaves_an_unknown_join_level_unmanaged(roster: Roster) -> None:
    state = CourseState(course_id=101, group_sets=(
        GroupSet(name="Labs", canvas_id=9, groups=(Group(name="L", canvas_id=90),)),))
    text = export_spec(state, roster, course=101)
    assert "join_level" not in text
    group = resolve(load_text(text, "export.yaml"), roster, 101).group_sets[0].groups[0]
    assert "join_level" not in group.managed
