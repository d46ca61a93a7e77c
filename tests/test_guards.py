"""Guards: deletions need allow_delete; removal thresholds per set need force."""

from __future__ import annotations

import pytest

from reconciler.errors import UnsafePlanError
from reconciler.guards import Limits, check_safety, threshold_breaches, threshold_warnings
from reconciler.model import CourseState, Group, GroupSet, Guards
from reconciler.ops import DeleteGroup, DeleteGroupSet, Operation, SetMembers
from reconciler.plan import Plan, build_plan


def ids(*values: int) -> frozenset[int]:
    return frozenset(values)


NO_GUARDS = Guards()


def teams(groups: int = 10, size: int = 4, guards: Guards = NO_GUARDS) -> tuple[
        CourseState, CourseState]:
    """(current, desired): "Project Teams" with `groups` groups of `size` members."""
    current = CourseState(course_id=1, group_sets=(GroupSet(name="Project Teams", canvas_id=5,
        groups=tuple(Group(name=f"T{n}", canvas_id=100 + n,
                           members=frozenset(range(n * size, n * size + size)))
                     for n in range(groups))),))
    desired = CourseState(course_id=1, group_sets=(GroupSet(name="Project Teams",
                                                            guards=guards),))
    return current, desired


def plan_of(ops: list[Operation], guards: Guards = NO_GUARDS, groups: int = 10) -> Plan:
    current, desired = teams(groups, guards=guards)
    return build_plan(ops, current, {}, desired=desired)


def empty(n: int) -> SetMembers:
    """Empty group T<n> (4 members leave the set)."""
    return SetMembers("Project Teams", f"T{n}", 100 + n, ids(), ids(),
                      frozenset(range(n * 4, n * 4 + 4)))


def test_deletions_need_allow_delete_and_say_which() -> None:
    ops: list[Operation] = [DeleteGroup("A", "T1", 1, 0), DeleteGroup("B", "T2", 2, 0, True),
                            DeleteGroupSet("Old", 9, 3)]
    plan = build_plan(ops, CourseState(course_id=1), {})
    with pytest.raises(UnsafePlanError) as caught:
        check_safety(plan, allow_delete=False)
    assert caught.value.message == (
        "the plan deletes 2 groups (T1 in 'A'; T2 in 'B') and 1 group set ('Old' with 3 "
        "groups) (1 group with submissions); deleting a Canvas group destroys its "
        "discussions, files and submissions. Re-run with --allow-delete to permit it.")
    assert caught.value.plan is plan
    check_safety(plan, allow_delete=True)


def test_ending_more_than_a_quarter_of_a_sets_memberships_needs_force() -> None:
    plan = plan_of([empty(0), empty(1), empty(2)])  # 12 of 40 = 30%
    assert threshold_breaches(plan) == [
        "Project Teams: 12 of 40 memberships (30%) would be removed; the limit is 25%"]
    with pytest.raises(UnsafePlanError, match="re-run with --force to permit it"):
        check_safety(plan, allow_delete=True)
    check_safety(plan, allow_delete=True, force=True)
    assert threshold_warnings(plan)[0].endswith("; apply will refuse without --force")


def test_at_the_limit_is_allowed() -> None:
    assert threshold_breaches(plan_of([empty(0), empty(1)])) == []  # 8 of 40 = 20%
    assert threshold_breaches(plan_of([empty(0), empty(1)]),
                              Limits(max_removal_pct=20)) == []


def test_a_move_within_the_set_is_not_a_removal() -> None:
    """T0's four move to T1: nobody leaves the set."""
    moved = frozenset(range(0, 4))
    ops: list[Operation] = [
        SetMembers("Project Teams", "T0", 100, ids(), ids(), moved),
        SetMembers("Project Teams", "T1", 101, moved | frozenset(range(4, 8)), moved, ids())]
    assert threshold_breaches(plan_of(ops), Limits(max_removal_pct=0)) == []


def test_deleting_groups_counts_their_members_and_the_groups() -> None:
    ops: list[Operation] = [DeleteGroup("Project Teams", f"T{n}", 100 + n, 4) for n in range(3)]
    assert threshold_breaches(plan_of(ops)) == [
        "Project Teams: 12 of 40 memberships (30%) would be removed; the limit is 25%",
        "Project Teams: 3 of 10 groups (30%) would be deleted; the limit is 20%"]


def test_small_sets_are_not_measured() -> None:
    ops: list[Operation] = [DeleteGroup("Project Teams", f"T{n}", 100 + n, 4) for n in range(4)]
    assert threshold_breaches(plan_of(ops, groups=4)) == []  # 4 groups, 16 memberships


def test_deleting_the_whole_set_is_an_explicit_act_not_a_threshold() -> None:
    assert threshold_breaches(plan_of([DeleteGroupSet("Project Teams", 5, 10)])) == []


def test_a_sets_guards_win_over_the_run() -> None:
    plan = plan_of([empty(0), empty(1), empty(2)], Guards(max_removal_pct=50))
    assert threshold_breaches(plan, Limits(max_removal_pct=10)) == []
    strict = plan_of([empty(0)], Guards(max_removal_pct=5, min_memberships=0))
    assert threshold_breaches(strict) == [
        "Project Teams: 4 of 40 memberships (10%) would be removed; the limit is 5%"]


def test_the_run_limits_apply_where_the_set_says_nothing() -> None:
    plan = plan_of([empty(0)])
    assert threshold_breaches(plan, Limits(max_removal_pct=5)) == [
        "Project Teams: 4 of 40 memberships (10%) would be removed; the limit is 5%"]
