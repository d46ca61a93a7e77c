"""Plan: the sorted operations, with what apply and render need beside them. Pure values.

A plan is deterministic (same inputs, same bytes), fingerprinted with the current state it
was made from (so apply can refuse a stale plan) and checked by `check_safety`. Its JSON
document (docs/plan-format.md) is document.py's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import UnsafePlanError
from reconciler.model import CourseState, user_label
from reconciler.ops import (
    DELETIONS,
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
    sort_key,
)

__all__ = [
    "Plan",
    "PlanCounts",
    "build_plan",
    "canonical_json",
    "check_safety",
    "fingerprint",
    "order",
    "user_ids",
]

DELETE_WARNING = ("deleting a Canvas group destroys its discussions, files and submissions. "
                  "Re-run with --allow-delete to permit it.")


@dataclass(frozen=True)
class PlanCounts:
    create: int
    update: int
    delete: int
    membership_changes: int


@dataclass(frozen=True)
class Plan:
    """`labels`: user id -> display label for every user the operations name.
    `current_memberships`: memberships in the sets the plan touches (the base of the
    removal percentage). `known_set_ids` / `known_group_ids`: the ids of every set and group
    in the current state the plan was made from, so apply adopts an object after an
    ambiguous create only if it is new."""

    course_id: int
    operations: tuple[Operation, ...]
    labels: Mapping[int, str]
    fingerprint: str
    warnings: tuple[str, ...] = ()
    current_memberships: int = 0
    known_set_ids: frozenset[int] = field(default=frozenset())
    known_group_ids: frozenset[int] = field(default=frozenset())

    @property
    def is_empty(self) -> bool:
        return not self.operations

    def counts(self) -> PlanCounts:
        ops = self.operations
        return PlanCounts(
            create=sum(isinstance(op, CreateGroupSet | CreateGroup) for op in ops),
            update=sum(isinstance(op, UpdateGroupSet | UpdateGroup | SetLeader) for op in ops),
            delete=sum(isinstance(op, DeleteGroupSet | DeleteGroup) for op in ops),
            membership_changes=sum(op.change_count for op in ops if isinstance(op, SetMembers)),
        )

    def deletions(self) -> tuple[DeleteGroupSet | DeleteGroup, ...]:
        return tuple(op for op in self.operations if isinstance(op, DELETIONS))


# --- building ---------------------------------------------------------------------------

def build_plan(ops: Iterable[Operation], current: CourseState, labels: Mapping[int, str],
               warnings: Iterable[str] = ()) -> Plan:
    ordered = tuple(sorted(ops, key=order))
    return Plan(
        course_id=current.course_id,
        operations=ordered,
        labels={uid: user_label(uid, labels) for uid in sorted(user_ids(ordered))},
        fingerprint=fingerprint(current),
        warnings=tuple(warnings),
        current_memberships=_memberships(current, touched_set_ids(ordered, current)),
        known_set_ids=frozenset(s.canvas_id for s in current.group_sets
                                if s.canvas_id is not None),
        known_group_ids=frozenset(g.canvas_id for s in current.group_sets for g in s.groups
                                  if g.canvas_id is not None),
    )


def order(op: Operation) -> tuple[tuple[int, int, tuple[str, ...]], str]:
    """The plan's total order: phase, key, then content (two deleted groups may share a
    name)."""
    return sort_key(op), canonical_json(op.as_dict())


def user_ids(ops: Iterable[Operation]) -> set[int]:
    """Every user id the operations name."""
    found: set[int] = set()
    for op in ops:
        if isinstance(op, SetMembers):
            found |= op.members | op.add | op.remove
        elif isinstance(op, SetLeader):
            found |= {uid for uid in (op.leader, op.old) if uid is not None}
    return found


def touched_set_ids(ops: Iterable[Operation], current: CourseState) -> set[int]:
    """Canvas ids of the existing sets the operations change (found by id, never by name:
    a name may belong to a set the same plan renames)."""
    set_of_group = {g.canvas_id: s.canvas_id for s in current.group_sets for g in s.groups}
    found: set[int | None] = set()
    for op in ops:
        if isinstance(op, UpdateGroupSet | DeleteGroupSet):
            found.add(op.canvas_id)
        elif isinstance(op, CreateGroup):
            found.add(op.set_id)
        elif not isinstance(op, CreateGroupSet):
            found.add(set_of_group.get(op.canvas_id))
    return {sid for sid in found if sid is not None}


def _memberships(current: CourseState, set_ids: set[int]) -> int:
    return sum(len(g.members or ()) for s in current.group_sets if s.canvas_id in set_ids
               for g in s.groups)


def canonical_json(value: Any) -> str:
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"))


def _canonical(value: Any) -> Any:
    """Sets and tuples of the model are unordered collections: sort them."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, frozenset | set | tuple | list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def fingerprint(state: CourseState) -> str:
    """sha256 of the state's canonical JSON; independent of listing order."""
    return hashlib.sha256(canonical_json(state.model_dump()).encode()).hexdigest()


# --- safety -----------------------------------------------------------------------------

def check_safety(plan: Plan, *, allow_delete: bool,
                 max_membership_removal_pct: float | None = None) -> None:
    """Raise UnsafePlanError, with the numbers, if the plan breaks a safety rule."""
    problems: list[str] = []
    if plan.deletions() and not allow_delete:
        problems.append(deletion_message(plan))
    if max_membership_removal_pct is not None:
        problems.extend(_removal_problem(plan, max_membership_removal_pct))
    if problems:
        raise UnsafePlanError("\n".join(problems))


def deletion_message(plan: Plan) -> str:
    groups = [op for op in plan.deletions() if isinstance(op, DeleteGroup)]
    sets = [op for op in plan.deletions() if isinstance(op, DeleteGroupSet)]
    parts = []
    if groups:
        parts.append(f"{_count(len(groups), 'group')} ({_groups_by_set(groups)})")
    if sets:
        names = ", ".join(f"{op.set_name!r} with {_count(op.group_count, 'group')}"
                          for op in sets)
        parts.append(f"{_count(len(sets), 'group set')} ({names})")
    return f"the plan deletes {' and '.join(parts)}; {DELETE_WARNING}"


def _groups_by_set(groups: list[DeleteGroup]) -> str:
    by_set: dict[str, list[str]] = {}
    for op in groups:
        by_set.setdefault(op.set_name, []).append(op.group_name)
    return "; ".join(f"{', '.join(names)} in {name!r}" for name, names in by_set.items())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def removed_memberships(plan: Plan) -> int:
    """Users taken out of groups: SetMembers removals plus members of deleted groups."""
    return sum(len(op.remove) if isinstance(op, SetMembers) else op.member_count
               for op in plan.operations if isinstance(op, SetMembers | DeleteGroup))


def _removal_problem(plan: Plan, limit: float) -> list[str]:
    removed, total = removed_memberships(plan), plan.current_memberships
    if removed == 0:
        return []
    pct = 100.0 * removed / total if total else 100.0
    if pct <= limit:
        return []
    return [f"the plan removes {removed} of {total} memberships ({pct:.0f}%) — over the "
            f"{limit:g}% limit; use --force to permit it."]
