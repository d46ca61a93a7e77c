"""Plan: the sorted operations, with what apply and render need beside them. Pure values.

A plan is deterministic (same inputs, same bytes) and self-contained, the way a Terraform
saved plan is: beside its operations it holds the Canvas state it was made from for the
sets it touches (`baseline`, fingerprinted, so apply can refuse a plan whose ground moved
and say what moved), and the state it aims for (`desired`, so apply can verify the result
without the spec). Its safety checks are guards.py's; its JSON document document.py's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.diff import match_sets
from reconciler.model import CourseState, Group, GroupSet, MemberKind, user_label
from reconciler.natural import NaturalKey, natural_key
from reconciler.ops import (
    DELETIONS,
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
    SortKey,
    UpdateGroup,
    UpdateGroupSet,
    sort_key,
)

__all__ = [
    "Plan",
    "PlanCounts",
    "build_plan",
    "canonical_json",
    "fingerprint",
    "order",
    "touched_set_ids",
    "user_ids",
]


NO_STATE = CourseState(course_id=0)  # frozen, so one shared default is safe


@dataclass(frozen=True)
class PlanCounts:
    create: int
    update: int
    delete: int
    membership_changes: int
    with_submissions: int = 0


@dataclass(frozen=True)
class Plan:
    """`labels`: user id -> display label for every user the operations name.
    `warnings`: what the user should weigh before applying; `notes`: what the plan leaves
    alone and why. `baseline`: the Canvas state of every set the plan touches, as it was
    read; `fingerprint` is its digest. `desired`: the spec's state for those sets.
    `known_set_ids` / `known_group_ids`: every set and group id in the course as read, so
    apply adopts an object after an ambiguous create only if it is new. `members_by`: how
    the spec names members (a snapshot names them the same way)."""

    course_id: int
    operations: tuple[Operation, ...]
    labels: Mapping[int, str]
    fingerprint: str
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    known_set_ids: frozenset[int] = field(default=frozenset())
    known_group_ids: frozenset[int] = field(default=frozenset())
    baseline: CourseState = NO_STATE
    desired: CourseState = NO_STATE
    members_by: MemberKind = "login_id"

    @property
    def is_empty(self) -> bool:
        return not self.operations

    def counts(self) -> PlanCounts:
        ops = self.operations
        return PlanCounts(
            create=sum(isinstance(op, CreateGroupSet | CreateGroup) for op in ops),
            update=sum(isinstance(op, UpdateGroupSet | UpdateGroup | SetLeader) for op in ops),
            delete=sum(isinstance(op, DeleteGroupSet | DeleteGroup) for op in ops),
            membership_changes=sum(op.change_count for op in ops
                                   if isinstance(op, SetMembers | ImportMembers)),
            with_submissions=sum(isinstance(op, DeleteGroup | SetMembers) and op.has_submissions
                                 for op in ops),
        )

    def deletions(self) -> tuple[DeleteGroupSet | DeleteGroup, ...]:
        return tuple(op for op in self.operations if isinstance(op, DELETIONS))


# --- building ---------------------------------------------------------------------------

def build_plan(ops: Iterable[Operation], current: CourseState, labels: Mapping[int, str],
               warnings: Iterable[str] = (), *, desired: CourseState | None = None,
               notes: Iterable[str] = (), members_by: MemberKind = "login_id") -> Plan:
    ordered = tuple(sorted(ops, key=order))
    touched = touched_set_ids(ordered, current)
    baseline = _sorted(current.model_copy(update={"group_sets": tuple(
        s for s in current.group_sets if s.canvas_id in touched)}))
    return Plan(
        course_id=current.course_id,
        operations=ordered,
        labels={uid: user_label(uid, labels) for uid in sorted(user_ids(ordered))},
        fingerprint=fingerprint(baseline),
        warnings=tuple(warnings),
        notes=tuple(notes),
        known_set_ids=frozenset(s.canvas_id for s in current.group_sets
                                if s.canvas_id is not None),
        known_group_ids=frozenset(g.canvas_id for s in current.group_sets for g in s.groups
                                  if g.canvas_id is not None),
        baseline=baseline,
        desired=_aimed_at(desired, current, ordered, touched),
        members_by=members_by,
    )


def _aimed_at(desired: CourseState | None, current: CourseState,
              ops: tuple[Operation, ...], touched: set[int]) -> CourseState:
    """The desired sets the plan writes: those owning a touched set, and those it creates."""
    if desired is None:
        return CourseState(course_id=current.course_id)
    created = {op.set_name for op in ops if isinstance(op, CreateGroupSet)}
    kept = tuple(want for want, have in match_sets(desired, current)
                 if (have is not None and have.canvas_id in touched) or want.name in created)
    return desired.model_copy(update={"group_sets": kept})


def _sorted(state: CourseState) -> CourseState:
    """Sets and groups by (name in natural order, id): the same Canvas, listed in any
    order, is one plan."""
    def key(entity: GroupSet | Group) -> tuple[NaturalKey, int]:
        return natural_key(entity.name), entity.canvas_id or 0

    sets = sorted((s.model_copy(update={"groups": tuple(sorted(s.groups, key=key))})
                   for s in state.group_sets), key=key)
    return state.model_copy(update={"group_sets": tuple(sets)})


def order(op: Operation) -> tuple[SortKey, str]:
    """The plan's total order: phase, key, then content (two deleted groups may share a
    name)."""
    return sort_key(op), canonical_json(op.as_dict())


def user_ids(ops: Iterable[Operation]) -> set[int]:
    """Every user id the operations name."""
    found: set[int] = set()
    for op in ops:
        if isinstance(op, SetMembers):
            found |= op.members | op.add | op.remove
        elif isinstance(op, ImportMembers):
            found |= op.add
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
        elif isinstance(op, CreateGroup | ImportMembers):
            found.add(op.set_id)
        elif not isinstance(op, CreateGroupSet):
            found.add(set_of_group.get(op.canvas_id))
    return {sid for sid in found if sid is not None}


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
