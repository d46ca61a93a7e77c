"""Moves the plan causes without writing them: Canvas's one-group-per-set rule.

Adding a user to a group removes them from every other group of the same set. When that
other group is one the plan does not write (its members are unmanaged, or it is outside
the spec and kept), the removal is real but no operation shows it; these are the lines
that do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.model import CourseState
from reconciler.ops import DeleteGroup, Operation, SetMembers


def implicit_moves(current: CourseState, ops: Sequence[Operation]) -> list[tuple[str, str, int]]:
    """(set name, group left, user id) for each user a membership write pulls out of a
    group that no operation of the plan writes or deletes."""
    touched = {op.key for op in ops if isinstance(op, SetMembers | DeleteGroup)}
    sets = {s.name: s for s in current.group_sets}
    moves: list[tuple[str, str, int]] = []
    for op in ops:
        if not isinstance(op, SetMembers) or op.set_name not in sets:
            continue
        for group in sets[op.set_name].groups:
            if (op.set_name, group.name) not in touched:
                moves.extend((op.set_name, group.name, uid)
                             for uid in sorted(op.add & (group.members or frozenset())))
    return sorted(moves)


def move_warnings(moves: Sequence[tuple[str, str, int]], labels: Mapping[int, str]) -> list[str]:
    return [f"{labels.get(uid, f'canvas:{uid}')} will leave {group!r} in {set_name!r} "
            "(Canvas allows one group per set, and the spec does not manage that group's "
            "members)" for set_name, group, uid in moves]
