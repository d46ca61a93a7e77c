"""The dependency rules, each on its own, and the plan's order keeping all of them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from test_property import plan_for, scenarios

from reconciler.model import CourseState
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
from reconciler.plan import build_plan
from reconciler.schedule import dependencies, respects


def ids(*values: int) -> frozenset[int]:
    return frozenset(values)


NEW_SET = CreateGroupSet("S", {"name": "S"})
SET_UPDATE = UpdateGroupSet("S", 1, (FieldChange("group_limit", 2, 4),), {"name": "S"})
NEW_GROUP = CreateGroup("S", "G", {"name": "G"})
GROUP_UPDATE = UpdateGroup("S", "H", 11, (FieldChange("max_membership", 2, 4),))
GROW_G = SetMembers("S", "G", None, ids(1, 2), ids(1, 2), ids())
SHRINK_H = SetMembers("S", "H", 11, ids(3), ids(), ids(1, 2))
GROW_H = SetMembers("S", "H", 11, ids(3, 5), ids(5), ids())
LEAD_G = SetLeader("S", "G", None, 1, None)
DELETE_K = DeleteGroup("S", "K", 12, 3)
OTHER = SetMembers("T", "X", 21, ids(9), ids(9), ids())


@pytest.mark.parametrize(("op", "before", "waits"), [
    (NEW_GROUP, NEW_SET, True),            # R1 set first
    (GROUP_UPDATE, SET_UPDATE, True),      # R1: the limit lands in the group first
    (OTHER, NEW_SET, False),               # another set does not wait
    (GROW_G, NEW_GROUP, True),             # R2 group first
    (GROW_H, GROUP_UPDATE, True),          # R2: the new max_membership first
    (GROW_G, SHRINK_H, True),              # R3 shrink first
    (SHRINK_H, GROW_G, False),
    (LEAD_G, GROW_G, True),                # R4 leaders last
    (LEAD_G, SHRINK_H, True),
    (DELETE_K, GROW_G, True),              # R5 deletes last
    (DELETE_K, DeleteGroup("S", "L", 13, 0), False),
    (DeleteGroupSet("S", 1, 3), DELETE_K, True),
    (CreateGroupSet("Old", {"name": "Old"}),  # R6 the rename frees the name first
     UpdateGroupSet("New", 2, (FieldChange("name", "Old", "New"),), {"name": "Old"}), True),
])
def test_each_rule(op: Operation, before: Operation, waits: bool) -> None:
    graph = dependencies([before, op])
    assert (0 in graph[1]) is waits


def test_independent_operations_wait_for_nothing() -> None:
    graph = dependencies([OTHER, GROW_H, DeleteGroup("T", "Y", 22, 0)])
    assert graph[0] == frozenset() and graph[1] == frozenset()


def test_the_plans_order_keeps_every_rule() -> None:
    ops: list[Operation] = [DELETE_K, LEAD_G, GROW_G, SHRINK_H, GROUP_UPDATE, NEW_GROUP,
                            SET_UPDATE, OTHER]
    plan = build_plan(ops, CourseState(course_id=1), {})
    graph = dependencies(plan.operations)
    assert respects(range(len(plan.operations)), graph)
    assert not respects(reversed(range(len(plan.operations))), graph)


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios())
def test_every_generated_plan_is_in_an_order_its_dependencies_allow(
        scenario: tuple[CourseState, CourseState]) -> None:
    current, desired = scenario
    plan = plan_for(desired, current)
    assert respects(range(len(plan.operations)), dependencies(plan.operations))
