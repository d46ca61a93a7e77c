"""The bulk planning rule: which member writes the group-set CSV import carries."""

from __future__ import annotations

from reconciler.bulk import BULK_MIN_SAVED, use_import
from reconciler.model import CourseState, Enrollment, Group, GroupSet, Roster, User
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
)
from reconciler.semantics import importable


def ids(*values: int) -> frozenset[int]:
    return frozenset(values)


STUDENTS = frozenset(range(1, 1000))
CURRENT = CourseState(course_id=1, group_sets=(GroupSet(name="S", canvas_id=7, groups=tuple(
    Group(name=f"G{n}", canvas_id=70 + n, members=ids(n)) for n in range(1, 31))),))
ENOUGH = BULK_MIN_SAVED  # existing groups that only grow: one request saved each


def grow(n: int, *users: int, gid: int | None = None) -> SetMembers:
    return SetMembers("S", f"G{n}", gid, frozenset(users), frozenset(users), ids())


def new_set(groups: int, settings: dict[str, object] | None = None) -> list[Operation]:
    ops: list[Operation] = [CreateGroupSet("S", {"name": "S"})]
    for n in range(1, groups + 1):
        ops.append(CreateGroup("S", f"G{n}", {"name": f"G{n}", **(settings or {})}))
        ops.append(grow(n, 10 * n, 10 * n + 1))
    return ops


def test_a_new_set_is_created_then_filled_by_one_import_that_makes_its_groups() -> None:
    ops = use_import(new_set(10), CourseState(course_id=1), STUDENTS)  # 10 creates, 10 writes
    assert [type(op).__name__ for op in ops] == ["CreateGroupSet", "ImportMembers"]
    [imp] = [op for op in ops if isinstance(op, ImportMembers)]
    assert imp.set_id is None and imp.change_count == 20
    assert [g.group_name for g in imp.groups] == [f"G{n}" for n in range(1, 11)]  # natural order
    assert all(g.creates and g.canvas_id is None for g in imp.groups)


def test_groups_with_settings_are_created_as_usual_and_filled_by_the_import() -> None:
    ops = use_import(new_set(ENOUGH, {"description": "d"}), CourseState(course_id=1), STUDENTS)
    assert sum(isinstance(op, CreateGroup) for op in ops) == ENOUGH
    [imp] = [op for op in ops if isinstance(op, ImportMembers)]
    assert not any(g.creates for g in imp.groups)


def test_existing_groups_that_only_grow_go_through_the_import() -> None:
    ops: list[Operation] = [grow(n, n, 40 + n, gid=70 + n) for n in range(1, ENOUGH + 1)]
    [imp] = use_import(ops, CURRENT, STUDENTS)
    assert isinstance(imp, ImportMembers) and imp.set_id == 7
    first = imp.groups[0]
    assert (first.group_name, first.canvas_id, first.add) == ("G1", 71, ids(1, 41))


def test_removals_non_students_leaders_and_small_sets_stay_ordinary() -> None:
    shrinks = SetMembers("S", "G30", 100, ids(), ids(), ids(30))
    staff = grow(29, 29, 5000, gid=99)  # 5000 is not a student
    leader = SetLeader("S", "G1", 71, 41, None)
    ops: list[Operation] = [*(grow(n, n, 40 + n, gid=70 + n) for n in range(1, ENOUGH + 1)),
                            staff, shrinks, leader]
    out = use_import(ops, CURRENT, STUDENTS)
    assert staff in out and shrinks in out and leader in out
    [imp] = [op for op in out if isinstance(op, ImportMembers)]
    assert [g.group_name for g in imp.groups] == [f"G{n}" for n in range(1, ENOUGH + 1)]


def test_a_set_where_the_import_saves_too_few_requests_stays_ordinary() -> None:
    few: list[Operation] = [grow(n, 40 + n, gid=70 + n) for n in range(1, BULK_MIN_SAVED)]
    assert use_import(few, CURRENT, STUDENTS) == few
    small_new_set = new_set(BULK_MIN_SAVED // 2 - 1)  # each group: a create and a write
    assert use_import(small_new_set, CourseState(course_id=1), STUDENTS) == small_new_set


def test_a_small_drift_is_written_group_by_group() -> None:
    """5% drift over 50 groups leaves about 12 that only gain a member: measured slower
    through an import than as side-by-side writes (bench_perf), so no import."""
    moved_in = [grow(n, 40 + n, gid=70 + n) for n in range(1, 13)]
    moved_out = [SetMembers("S", f"G{n}", 70 + n, ids(), ids(), ids(n)) for n in range(13, 25)]
    ops: list[Operation] = [*moved_in, *moved_out]
    assert use_import(ops, CURRENT, STUDENTS) == ops


def test_the_import_accepts_students_only() -> None:
    def user(uid: int, kind: str, state: str = "active") -> User:
        return User(id=uid, enrollments=(Enrollment(type=kind, state=state),))

    roster = Roster(users=(user(1, "StudentEnrollment"), user(2, "StudentEnrollment", "invited"),
                           user(3, "StudentEnrollment", "completed"), user(4, "TaEnrollment"),
                           user(5, "StudentViewEnrollment")))
    assert importable(roster) == ids(1, 2)
