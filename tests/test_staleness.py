"""changes_since: what moved in Canvas since a plan's baseline, one sentence each."""

from __future__ import annotations

from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import CreateGroupSet, SetMembers
from reconciler.plan import build_plan
from reconciler.staleness import changes_since

TEAMS = GroupSet(name="Project Teams", canvas_id=5, groups=(
    Group(name="Team 1", canvas_id=51, members=frozenset({1, 2}), leader=1),
    Group(name="Team 2", canvas_id=52, members=frozenset({3}))))
OTHER = GroupSet(name="Lab Pairs", canvas_id=6, groups=(
    Group(name="Pair 1", canvas_id=61, members=frozenset({4})),))
CURRENT = CourseState(course_id=1, group_sets=(TEAMS, OTHER))
PLAN = build_plan([SetMembers("Project Teams", "Team 2", 52, frozenset({3, 4}),
                              frozenset({4}), frozenset()),
                   CreateGroupSet("Labs", {"name": "Labs"})], CURRENT, {})


def now(*sets: GroupSet) -> CourseState:
    return CourseState(course_id=1, group_sets=sets)


def team(n: int, **update: object) -> Group:
    return TEAMS.groups[n].model_copy(update=update)


def test_nothing_moved() -> None:
    assert changes_since(PLAN, CURRENT) == []


def test_a_set_the_plan_does_not_touch_may_move() -> None:
    moved = OTHER.model_copy(update={"groups": ()})
    assert changes_since(PLAN, now(TEAMS, moved)) == []


def test_members_leaders_fields_and_groups_that_moved_are_named() -> None:
    teams = TEAMS.model_copy(update={"self_signup": "enabled", "groups": (
        team(0, leader=2, description="x"), team(1, members=frozenset({3, 9})),
        Group(name="Team 3", canvas_id=53, members=frozenset()))})
    assert changes_since(PLAN, now(teams, OTHER)) == [
        "group set 'Project Teams': self_signup changed in Canvas",
        "group 'Team 1' in 'Project Teams': description changed in Canvas",
        "the leader of group 'Team 1' in 'Project Teams' changed since the plan was made",
        "Team 2's members changed since the plan was made",
        "group 'Team 3' was created in 'Project Teams' in Canvas"]


def test_deleted_sets_and_groups_and_taken_names_are_named() -> None:
    assert changes_since(PLAN, now(OTHER)) == ["group set 'Project Teams' was deleted in Canvas"]
    teams = TEAMS.model_copy(update={"groups": TEAMS.groups[:1]})
    labs = GroupSet(name="Labs", canvas_id=7)
    assert changes_since(PLAN, now(teams, OTHER, labs)) == [
        "group 'Team 2' in 'Project Teams' was deleted in Canvas",
        "a group set named 'Labs' now exists in Canvas (id 7)"]
