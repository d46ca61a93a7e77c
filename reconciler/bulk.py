"""The bulk planning rule: which member writes Canvas's group-set CSV import replaces. Pure.

One import (a request and a Progress to poll) takes any number of rows; a members[] write
is one request per group. The import accepts only students, only adds and moves (a user's
other memberships in the set are removed first), never removes anyone, creates a missing
group by name, and enforces no group limit (Q-CSV-IMPORT). So, per set, a group's write goes
into the import when it:

- only adds members (nobody leaves the group by its own write), and
- adds only users the import accepts (semantics.importable);

and the import saves at least BULK_MIN_SAVED requests in that set (one per group write it
carries, one per group create it makes). Canvas runs a course's imports one after another,
each a job to wait for, so below that the per-group writes, side by side, finish sooner:
benchmarks/bench_perf measured a 5% drift over 5 sets of 50 groups (about 12 groups a set
that only gain) at 10.5 s through imports against 5.6 s without (docs/performance.md).

The plan's room check has already made sure every group can hold what it is given, so the
import cannot overfill one. A new group with no settings but its name is created by the
import itself (its CreateGroup goes); one with settings is created as usual, and the import
fills it. Leaders, removals, non-student members and group settings stay ordinary
operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reconciler.model import CourseState
from reconciler.natural import natural_key
from reconciler.ops import CreateGroup, ImportGroup, ImportMembers, Operation, SetMembers

BULK_MIN_SAVED = 20


def use_import(ops: Sequence[Operation], current: CourseState,
               importable: frozenset[int]) -> list[Operation]:
    """`ops` with the member writes the import can carry replaced by one ImportMembers per
    set (see the module docstring)."""
    out: list[Operation] = list(ops)
    for set_name in sorted({op.set_name for op in ops if isinstance(op, SetMembers)}):
        out = _import_set(out, set_name, current, importable)
    return out


def _import_set(ops: list[Operation], set_name: str, current: CourseState,
                importable: frozenset[int]) -> list[Operation]:
    writes = [op for op in ops if isinstance(op, SetMembers) and op.set_name == set_name
              and not op.remove and op.add and op.add <= importable]
    creates = {op.group_name: op for op in ops
               if isinstance(op, CreateGroup) and op.set_name == set_name}
    by_import = {w.group_name for w in writes if w.canvas_id is None
                 and set(creates[w.group_name].settings) <= {"name"}}
    if len(writes) + len(by_import) < BULK_MIN_SAVED:
        return ops
    groups = tuple(ImportGroup(w.group_name, w.canvas_id, w.add, w.group_name in by_import)
                   for w in sorted(writes, key=lambda w: natural_key(w.group_name)))
    taken = {id(w) for w in writes} | {id(creates[name]) for name in by_import}
    return [op for op in ops if id(op) not in taken] + [
        ImportMembers(set_name, _set_id(writes, creates.values(), current), groups)]


def _set_id(writes: Sequence[SetMembers], creates: Iterable[CreateGroup],
            current: CourseState) -> int | None:
    """The set's Canvas id: the set of an existing group written, or the set a group is
    created in; None when the plan creates the set."""
    set_of = {g.canvas_id: s.canvas_id for s in current.group_sets for g in s.groups}
    for write in writes:
        if write.canvas_id is not None:
            return set_of.get(write.canvas_id)
    return next((op.set_id for op in creates), None)
