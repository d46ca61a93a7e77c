"""Canvas's semantics as pure rules: stored values, group limits, one group per set."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler import semantics
from reconciler.diff import implicit_moves
from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import DeleteGroup, Operation, Phase, SetMembers
from reconciler.semantics import move_warnings


def ids(*values: int) -> frozenset[int]:
    return frozenset(values)


@pytest.mark.parametrize(("field", "value", "stored"), [
    ("description", "", None), ("description", None, None), ("description", "d", "d"),
    ("sis_id", "", ""), ("max_membership", 0, 0),
])
def test_comparable_treats_an_empty_description_as_none(field: str, value: Any,
                                                         stored: Any) -> None:
    assert semantics.comparable(field, value) == stored


def test_set_limit_after_the_set_update() -> None:
    assert semantics.set_limit(4, 3, managed=True) == 4
    assert semantics.set_limit(4, 3, managed=False) == 3
    assert semantics.set_limit(None, 3, managed=True) is None


def test_a_changed_group_limit_is_copied_into_every_group() -> None:
    group = Group(name="G", max_membership=3, canvas_id=1)
    assert semantics.group_after_set_update(group, 3, 3) is group
    assert semantics.group_after_set_update(group, 3, 5).max_membership == 5
    assert semantics.group_after_set_update(group, 3, None).max_membership is None


@pytest.mark.parametrize(("want_max", "managed", "have_max", "limit", "expected"), [
    (None, True, 4, 4, 4),      # null means "the set's limit", which the group already has
    (None, True, 3, 4, None),   # a different value: still a change to null
    (None, True, 4, None, None),
    (None, False, 4, 4, None),  # unmanaged: untouched
    (2, True, 4, 4, 2),
])
def test_a_null_max_membership_is_stored_as_the_set_limit(
        want_max: int | None, managed: bool, have_max: int | None, limit: int | None,
        expected: int | None) -> None:
    want = Group(name="G", max_membership=want_max,
                 managed=frozenset({"max_membership"} if managed else ()))
    have = Group(name="G", max_membership=have_max, canvas_id=1)
    assert semantics.group_as_stored(want, have, limit).max_membership == expected


@pytest.mark.parametrize(("add", "remove", "frees"), [
    (ids(), ids(1), True), (ids(1), ids(2), True), (ids(1, 2), ids(3), False),
    (ids(1), ids(), False), (ids(), ids(), False),
])
def test_writes_that_free_room_run_first(add: frozenset[int], remove: frozenset[int],
                                         frees: bool) -> None:
    assert semantics.frees_room(add, remove) is frees
    phase = SetMembers("S", "G", 1, add, add, remove).phase
    assert phase == (Phase.SHRINK_MEMBERS if frees else Phase.GROW_MEMBERS)


def test_additive_target_leaves_users_placed_elsewhere_to_their_group() -> None:
    # now {1, 2}; the spec adds 3 here and places 2 in another group of the set
    assert semantics.additive_target(ids(1, 2), ids(3), ids(2, 3)) == ids(1, 3)
    assert semantics.additive_target(ids(1), ids(1, 2), ids(1, 2)) == ids(1, 2)


CURRENT = CourseState(course_id=1, group_sets=(
    GroupSet(name="Teams", canvas_id=5, groups=(
        Group(name="A", canvas_id=50, members=frozenset({1, 2})),
        Group(name="B", canvas_id=51, members=frozenset({3})),
        Group(name="C", canvas_id=52, members=frozenset({4})))),
    GroupSet(name="Labs", canvas_id=6, groups=(
        Group(name="L", canvas_id=60, members=frozenset({3})),)),
))


def put(group: str, add: set[int], remove: frozenset[int] = frozenset()) -> SetMembers:
    return SetMembers("Teams", group, 50, frozenset(add), frozenset(add), remove)


@pytest.mark.parametrize(("ops", "moves"), [
    ([put("A", {3})], [("Teams", "B", 3)]),                          # B is not written
    ([put("A", {3}), put("B", set(), frozenset({3}))], []),           # B's own write shows it
    ([put("A", {3, 4}), DeleteGroup("Teams", "C", 52, 1)], [("Teams", "B", 3)]),
    ([put("A", {9})], []),                                            # nobody else holds 9
    ([SetMembers("Labs", "L", 60, frozenset({3}), frozenset(), frozenset())], []),
])
def test_implicit_moves(ops: list[Operation], moves: list[tuple[str, str, int]]) -> None:
    assert implicit_moves(CURRENT, ops) == moves


def test_move_warnings_name_users_by_label() -> None:
    lines = move_warnings([("Teams", "B", 3), ("Teams", "B", 8)], {3: "s03"})
    assert lines[0].startswith("s03 will leave 'B' in 'Teams'")
    assert lines[1].startswith("canvas:8 will leave")


def _sets(*names_ids: tuple[str, int]) -> CourseState:
    return CourseState(course_id=1, group_sets=tuple(GroupSet(name=n, canvas_id=i)
                                                     for n, i in names_ids))


def test_a_set_name_held_by_a_set_the_spec_does_not_rename_is_a_clash() -> None:
    current = _sets(("B", 1), ("Z", 2))
    held = semantics.set_name_clash([(GroupSet(name="Z"), None)], current)
    assert held is not None and "group set name 'Z' is held by group set 'Z' (id 2)" in held
    renamed_away = [(GroupSet(name="Y"), current.group_sets[1]), (GroupSet(name="Z"), None)]
    assert semantics.set_name_clash(renamed_away, current) is None  # the rename runs first
    chain = [(GroupSet(name="Z"), current.group_sets[0]),
             (GroupSet(name="Y"), current.group_sets[1])]
    message = semantics.set_name_clash(chain, current)
    assert message is not None and "needs the rename of 'Z' to 'Y' first" in message
