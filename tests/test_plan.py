"""Plan: ordering, counts, ids, fingerprint and safety messages."""

from __future__ import annotations

from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    FieldChange,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.plan import Plan, PlanCounts, build_plan, fingerprint, touched_set_ids


def ids(*values: int) -> frozenset[int]:
    return frozenset(values)


CURRENT = CourseState(course_id=7, group_sets=(
    GroupSet(name="Project Teams", canvas_id=10, groups=(
        Group(name="Team 1", canvas_id=101, members=ids(1, 2, 3), leader=1),
        Group(name="Team 2", canvas_id=102, members=ids(4, 5)),
        Group(name="Team 3", canvas_id=103, members=ids(6)),
        Group(name="Team 4", canvas_id=104, members=ids()),
    )),
    GroupSet(name="Old", canvas_id=20, groups=(Group(name="X", canvas_id=201, members=ids(9)),)),
    GroupSet(name="Untouched", canvas_id=30,
             groups=(Group(name="U", canvas_id=301, members=ids(1, 2, 3, 4, 5, 6, 7, 8)),)),
))

# One operation per phase, deliberately out of order.
OPS: list[Operation] = [
    DeleteGroupSet("Old", 20, 1),
    DeleteGroup("Project Teams", "Team 4", 104, 0),
    DeleteGroup("Project Teams", "Team 3", 103, 1),
    SetLeader("Project Teams", "Team 1", 101, 2, 1),
    SetMembers("Project Teams", "Team 2", 102, ids(4, 5, 7), ids(7), ids()),
    SetMembers("Project Teams", "Team 1", 101, ids(2), ids(), ids(1, 3)),
    SetMembers("Labs", "Lab 1", None, ids(8), ids(8), ids()),
    UpdateGroup("Project Teams", "Team 1", 101, (FieldChange("description", None, "d"),)),
    CreateGroup("Labs", "Lab 1", {"name": "Lab 1"}),
    UpdateGroupSet("Project Teams", 10, (FieldChange("group_limit", None, 4),),
                   {"name": "Project Teams", "self_signup": None, "auto_leader": None,
                    "group_limit": None, "sis_id": None}),
    CreateGroupSet("Labs", {"name": "Labs"}),
]
LABELS = {1: "s01", 2: "s02", 3: "s03", 7: "s07", 99: "not in the plan"}


def make(ops: list[Operation] | None = None, warnings: tuple[str, ...] = ()) -> Plan:
    return build_plan(OPS if ops is None else ops, CURRENT, LABELS, warnings)


def make_from(current: CourseState) -> Plan:
    return build_plan(OPS, current, LABELS)


def test_phase_order() -> None:
    order = [(type(op).__name__, op.key) for op in make().operations]
    assert order == [
        ("UpdateGroupSet", ("Project Teams",)),  # set updates (renames) before set creates
        ("CreateGroupSet", ("Labs",)),
        ("CreateGroup", ("Labs", "Lab 1")),
        ("UpdateGroup", ("Project Teams", "Team 1")),
        ("SetMembers", ("Project Teams", "Team 1")),  # shrinking before growing
        ("SetMembers", ("Labs", "Lab 1")),
        ("SetMembers", ("Project Teams", "Team 2")),
        ("SetLeader", ("Project Teams", "Team 1")),
        ("DeleteGroup", ("Project Teams", "Team 3")),
        ("DeleteGroup", ("Project Teams", "Team 4")),
        ("DeleteGroupSet", ("Old",)),
    ]


def test_same_ops_in_any_order_give_the_same_plan() -> None:
    assert make(list(reversed(OPS))) == make()


def test_counts_and_deletions() -> None:
    plan = make()
    assert plan.counts() == PlanCounts(create=2, update=3, delete=3, membership_changes=4)
    assert [op.key for op in plan.deletions()] == [
        ("Project Teams", "Team 3"), ("Project Teams", "Team 4"), ("Old",)]
    assert not plan.is_empty and make([]).is_empty


def test_labels_cover_exactly_the_users_named_with_fallback() -> None:
    assert make().labels == {1: "s01", 2: "s02", 3: "s03", 4: "canvas:4", 5: "canvas:5",
                             7: "s07", 8: "canvas:8"}


def test_the_baseline_is_the_touched_sets_and_the_fingerprint_its_digest() -> None:
    plan = make()
    assert touched_set_ids(plan.operations, CURRENT) == {10, 20}
    assert [s.name for s in plan.baseline.group_sets] == ["Old", "Project Teams"]
    assert plan.fingerprint == fingerprint(plan.baseline)
    untouched_changed = CURRENT.model_copy(update={"group_sets": CURRENT.group_sets[:2]})
    assert make_from(untouched_changed).fingerprint == plan.fingerprint


def test_desired_keeps_the_sets_the_plan_writes() -> None:
    desired = CourseState(course_id=7, group_sets=(
        GroupSet(name="Project Teams"), GroupSet(name="Labs"), GroupSet(name="Untouched")))
    plan = build_plan(OPS, CURRENT, LABELS, desired=desired)
    assert [s.name for s in plan.desired.group_sets] == ["Project Teams", "Labs"]


def test_touched_sets_are_found_by_id_when_the_plan_renames_one() -> None:
    """The renamed set is found by its id, and a group created in it by its set_id."""
    rename = UpdateGroupSet("Teams", 10, (FieldChange("name", "Project Teams", "Teams"),),
                            {"name": "Project Teams"})
    plan = make([rename, CreateGroup("Teams", "New", {"name": "New"}, set_id=10)])
    assert touched_set_ids(plan.operations, CURRENT) == {10}
    assert touched_set_ids([CreateGroup("Untouched", "N", {}, set_id=30)], CURRENT) == {30}
    assert touched_set_ids([SetMembers("X", "U", 301, ids(), ids(), ids(1))], CURRENT) == {30}


def test_known_ids_are_every_id_of_the_current_state() -> None:
    plan = make([])
    assert plan.known_set_ids == {10, 20, 30}
    assert plan.known_group_ids == {101, 102, 103, 104, 201, 301}


def test_fingerprint_ignores_listing_order_but_not_content() -> None:
    shuffled = CURRENT.model_copy(update={"group_sets": tuple(reversed(CURRENT.group_sets))})
    changed = CURRENT.model_copy(update={"group_sets": CURRENT.group_sets[:2]})
    assert fingerprint(shuffled) == fingerprint(CURRENT)
    assert make_from(shuffled) == make()
    assert fingerprint(changed) != fingerprint(CURRENT)
    assert len(fingerprint(CURRENT)) == 64
