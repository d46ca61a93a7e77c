"""Scheduling is data: which operations of a plan must wait for which. Pure.

`dependencies(ops)` maps each operation (by its index in the plan) to the operations it
waits for; everything else may run at once. The rules, each for a Canvas reason:

- R1 set first: every operation inside a set waits for that set's create or update (a group
  needs its set's id; a changed group_limit is copied into every group first, Q-LIMIT-COPY).
- R2 group first: a group's members and leader, and an import with rows for it, wait for its
  create or update (its id; a new max_membership must be in place before members are
  added, Q-GROUP-FULL).
- R3 shrink first: within a set, writes that add members (and imports) wait for the writes
  that free room (semantics.frees_room, Q-ONE-GROUP).
- R4 leaders last: a leader waits for every member write of its set (a leader must be a
  member, and a later write could move them, Q-LEADER).
- R5 deletes last: a group delete waits for every other operation of its set; a set delete
  waits for every operation of that set.
- R6 names freed first: creating a set waits for the rename that frees its name
  (Q-SET-NAMES).

The plan's own order (phase, then key) satisfies every rule, so running the operations one
at a time in plan order is always a valid schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.semantics import frees_room

Graph = dict[int, frozenset[int]]
Rule = Callable[[Operation, Operation], bool]


def _set_write(op: Operation) -> bool:
    return isinstance(op, CreateGroupSet | UpdateGroupSet)


def _in_set(op: Operation) -> bool:
    return not isinstance(op, CreateGroupSet | UpdateGroupSet | DeleteGroupSet)


def _same_set(a: Operation, b: Operation) -> bool:
    return a.set_name == b.set_name


def _set_first(op: Operation, before: Operation) -> bool:
    return _in_set(op) and _set_write(before) and _same_set(op, before)


def _group_first(op: Operation, before: Operation) -> bool:
    if not isinstance(before, CreateGroup | UpdateGroup):
        return False
    if isinstance(op, ImportMembers):
        return _same_set(op, before) and any(g.group_name == before.group_name
                                             for g in op.groups)
    return isinstance(op, SetMembers | SetLeader) and op.key == before.key


def _grows(op: Operation) -> bool:
    return isinstance(op, ImportMembers) or (isinstance(op, SetMembers) and not _frees(op))


def _shrink_first(op: Operation, before: Operation) -> bool:
    return (_grows(op) and isinstance(before, SetMembers) and _same_set(op, before)
            and _frees(before))


def _frees(op: SetMembers) -> bool:
    return frees_room(op.add, op.remove)


def _leaders_last(op: Operation, before: Operation) -> bool:
    return (isinstance(op, SetLeader) and isinstance(before, SetMembers | ImportMembers)
            and _same_set(op, before))


def _deletes_last(op: Operation, before: Operation) -> bool:
    if isinstance(op, DeleteGroup):
        return _same_set(op, before) and not isinstance(before, DeleteGroup | DeleteGroupSet)
    if isinstance(op, DeleteGroupSet):
        return _same_set(op, before) and before is not op
    return False


def _names_freed_first(op: Operation, before: Operation) -> bool:
    return (isinstance(op, CreateGroupSet) and isinstance(before, UpdateGroupSet)
            and any(c.field == "name" and c.old == op.set_name for c in before.changes))


# Rules between two operations of the same set, and the one rule across sets.
SET_RULES: dict[str, Rule] = {
    "set first": _set_first,
    "group first": _group_first,
    "shrink first": _shrink_first,
    "leaders last": _leaders_last,
    "deletes last": _deletes_last,
}
CROSS_RULES: dict[str, Rule] = {"names freed first": _names_freed_first}


def dependencies(ops: Sequence[Operation]) -> Graph:
    """Operation index -> the indexes it waits for (by SET_RULES within each set, and
    CROSS_RULES between sets)."""
    by_set: dict[str, list[int]] = {}
    for i, op in enumerate(ops):
        by_set.setdefault(op.set_name, []).append(i)
    renames = [j for j, op in enumerate(ops) if isinstance(op, UpdateGroupSet)]
    graph: Graph = {}
    for i, op in enumerate(ops):
        same = (j for j in by_set[op.set_name] if j != i
                and any(rule(op, ops[j]) for rule in SET_RULES.values()))
        cross = (j for j in renames if j != i
                 and any(rule(op, ops[j]) for rule in CROSS_RULES.values()))
        graph[i] = frozenset((*same, *cross))
    return graph


def respects(order: Sequence[int], graph: Graph) -> bool:
    """Whether running the operations in `order` keeps every dependency."""
    seen: set[int] = set()
    for i in order:
        if not graph[i] <= seen:
            return False
        seen.add(i)
    return True
