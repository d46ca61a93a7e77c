"""Plan: ordering, counts, ids, fingerprint and safety messages."""

from __future__ import annotations

import pytest

from reconciler.errors import UnsafePlanError
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
from reconciler.plan import (
    Plan,
    PlanCounts,
    build_plan,
    check_safety,
    fingerprint,
    touched_set_ids,
)


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


def test_touched_sets_and_their_memberships() -> None:
    plan = make()
    assert touched_set_ids(plan.operations, CURRENT) == {10, 20}
    assert plan.current_memberships == 7  # Project Teams 6 + Old 1; "Untouched" not counted


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
    assert fingerprint(shuffled) == fingerprint(CURRENT) == make().fingerprint
    assert fingerprint(changed) != fingerprint(CURRENT)
    assert len(fingerprint(CURRENT)) == 64


# --- safety -----------------------------------------------------------------------------

DELETE_MESSAGE = (
    "the plan deletes 2 groups (Team 3, Team 4 in 'Project Teams') and 1 group set "
    "('Old' with 1 group); deleting a Canvas group destroys its discussions, files and "
    "submissions. Re-run with --allow-delete to permit it.")


def test_deletions_need_allow_delete() -> None:
    with pytest.raises(UnsafePlanError) as caught:
        check_safety(make(), allow_delete=False)
    assert caught.value.message == DELETE_MESSAGE
    check_safety(make(), allow_delete=True)


def test_group_deletes_in_two_sets_are_listed_by_set() -> None:
    ops: list[Operation] = [DeleteGroup("A", "T1", 1, 0), DeleteGroup("B", "T2", 2, 0)]
    with pytest.raises(UnsafePlanError, match=r"2 groups \(T1 in 'A'; T2 in 'B'\);"):
        check_safety(make(ops), allow_delete=False)


def removal_plan(removed: int, total: int) -> Plan:
    op = SetMembers("S", "G", 1, ids(), ids(), frozenset(range(removed)))
    return Plan(7, (op,), {}, "f", current_memberships=total)


@pytest.mark.parametrize(("removed", "total", "limit", "message"), [
    (12, 40, 25.0, "the plan removes 12 of 40 memberships (30%) — over the 25% limit; "
                   "use --force to permit it."),
    (10, 40, 25.0, None),
    (1, 3, 33.3, "the plan removes 1 of 3 memberships (33%) — over the 33.3% limit"),
    (0, 0, 0.0, None),
])
def test_membership_removal_limit(removed: int, total: int, limit: float,
                                  message: str | None) -> None:
    plan = removal_plan(removed, total)
    if message is None:
        check_safety(plan, allow_delete=False, max_membership_removal_pct=limit)
        return
    with pytest.raises(UnsafePlanError) as caught:
        check_safety(plan, allow_delete=False, max_membership_removal_pct=limit)
    assert caught.value.message.startswith(message)


def test_deleted_group_members_count_as_removed_and_both_problems_reported() -> None:
    with pytest.raises(UnsafePlanError) as caught:
        check_safety(make(), allow_delete=False, max_membership_removal_pct=10)
    first, second = caught.value.message.split("\n")
    assert first == DELETE_MESSAGE
    assert second.startswith("the plan removes 3 of 7 memberships (43%) — over the 10% limit")


def test_no_limit_means_no_removal_check() -> None:
    check_safety(removal_plan(40, 40), allow_delete=False)
