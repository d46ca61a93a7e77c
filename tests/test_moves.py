"""Moves a plan causes through Canvas's one-group-per-set rule without writing them."""

from __future__ import annotations

import pytest

from reconciler.model import CourseState, Group, GroupSet
from reconciler.moves import implicit_moves, move_warnings
from reconciler.ops import DeleteGroup, Operation, SetMembers

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
