"""Plan: the sorted operations, with what apply and render need beside them. Pure values.

A plan is deterministic (same inputs, same bytes), fingerprinted with the current state it
was made from (so apply can refuse a stale plan), checked by `check_safety`, and saved as a
versioned JSON document (`plan_to_dict` / `plan_from_dict`, see docs/plan-format.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import UnsafePlanError
from reconciler.model import CourseState
from reconciler.op_codec import PlanDocumentError, need, op_from_dict
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
    "FORMAT_VERSION",
    "Plan",
    "PlanCounts",
    "build_plan",
    "canonical_json",
    "check_safety",
    "fingerprint",
    "plan_from_dict",
    "plan_to_dict",
    "user_ids",
]

FORMAT_VERSION = 1

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
    `set_ids` / `group_ids`: Canvas ids of existing sets and groups the operations refer to
    by key. `current_memberships`: memberships in the sets the plan touches (the base of the
    removal percentage). `known_set_ids` / `known_group_ids`: the ids of every set and group
    in the current state the plan was made from, so apply adopts an object after an
    ambiguous create only if it is new (empty for a plan read from a document)."""

    course_id: int
    operations: tuple[Operation, ...]
    labels: Mapping[int, str]
    set_ids: Mapping[str, int]
    group_ids: Mapping[tuple[str, str], int]
    fingerprint: str
    warnings: tuple[str, ...] = ()
    current_memberships: int = field(default=0)
    # Apply-time hints, not part of the plan's identity (the fingerprint pins the state they
    # come from) nor of the plan document: left out of equality and of plan_to_dict.
    known_set_ids: frozenset[int] = field(default=frozenset(), compare=False)
    known_group_ids: frozenset[int] = field(default=frozenset(), compare=False)

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
    ordered = tuple(sorted(ops, key=_order))
    set_ids = _set_ids(ordered, current)
    return Plan(
        course_id=current.course_id,
        operations=ordered,
        labels={uid: labels.get(uid, f"canvas:{uid}") for uid in sorted(user_ids(ordered))},
        set_ids=set_ids,
        group_ids=_group_ids(ordered),
        fingerprint=fingerprint(current),
        warnings=tuple(warnings),
        current_memberships=_memberships(current, set(set_ids.values())),
        known_set_ids=frozenset(s.canvas_id for s in current.group_sets
                                if s.canvas_id is not None),
        known_group_ids=frozenset(g.canvas_id for s in current.group_sets for g in s.groups
                                  if g.canvas_id is not None),
    )


def _order(op: Operation) -> tuple[tuple[int, tuple[str, ...]], str]:
    # Ties on (phase, key) (e.g. two deleted groups with one name) break on content.
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


def _set_ids(ops: tuple[Operation, ...], current: CourseState) -> dict[str, int]:
    """Existing sets by the name the operations use: ids carried by set operations, else
    the current set of that name. Sets this plan creates are left out."""
    created = {op.set_name for op in ops if isinstance(op, CreateGroupSet)}
    carried = {op.set_name: op.canvas_id for op in ops
               if isinstance(op, UpdateGroupSet | DeleteGroupSet)}
    out: dict[str, int] = {}
    for name in sorted({op.set_name for op in ops} - created):
        existing = current.set_named(name)
        cid = carried.get(name, existing.canvas_id if existing else None)
        if cid is not None:
            out[name] = cid
    return out


def _group_ids(ops: tuple[Operation, ...]) -> dict[tuple[str, str], int]:
    # From the operations only: a name in the current state may belong to a group that the
    # same plan renames, so looking names up there could pick the wrong group.
    out: dict[tuple[str, str], int] = {}
    for op in ops:
        if isinstance(op, CreateGroupSet | UpdateGroupSet | DeleteGroupSet | CreateGroup):
            continue
        if op.canvas_id is not None:
            out.setdefault((op.set_name, op.group_name), op.canvas_id)
    return out


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


# --- the plan document (docs/plan-format.md) ----------------------------------------------

def plan_to_dict(plan: Plan) -> dict[str, Any]:
    counts = plan.counts()
    return {
        "format_version": FORMAT_VERSION,
        "course_id": plan.course_id,
        "fingerprint": plan.fingerprint,
        "summary": {"create": counts.create, "update": counts.update,
                    "delete": counts.delete, "membership_changes": counts.membership_changes},
        "operations": [_op_doc(op, plan.labels) for op in plan.operations],
        "warnings": list(plan.warnings),
        "set_ids": dict(sorted(plan.set_ids.items())),
        "group_ids": [{"set": s, "group": g, "canvas_id": cid}
                      for (s, g), cid in sorted(plan.group_ids.items())],
        "current_memberships": plan.current_memberships,
    }


def _op_doc(op: Operation, labels: Mapping[int, str]) -> dict[str, Any]:
    doc = op.as_dict()
    doc["phase"] = op.phase.name.lower()
    named = sorted(user_ids([op]))
    if named:
        doc["labels"] = {str(uid): labels.get(uid, f"canvas:{uid}") for uid in named}
    return doc


def plan_from_dict(doc: Any) -> Plan:
    """Read a saved plan document; PlanDocumentError (a ReconcilerError) if it is bad."""
    if not isinstance(doc, dict):
        raise PlanDocumentError("the document must be a JSON object")
    version = doc.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise PlanDocumentError(f"format_version is {version!r}; this version of reconciler "
                                f"reads format_version {FORMAT_VERSION}")
    ops = [op_from_dict(item, f"operations[{i}]")
           for i, item in enumerate(need(doc, "operations", list, "plan"))]
    return Plan(
        course_id=need(doc, "course_id", int, "plan"),
        operations=tuple(sorted(ops, key=_order)),
        labels=_labels(doc["operations"]),
        set_ids=_set_ids_doc(need(doc, "set_ids", dict, "plan")),
        group_ids=_group_ids_doc(need(doc, "group_ids", list, "plan")),
        fingerprint=need(doc, "fingerprint", str, "plan"),
        warnings=tuple(_strings(need(doc, "warnings", list, "plan"), "plan.warnings")),
        current_memberships=need(doc, "current_memberships", int, "plan"),
    )


def _labels(op_docs: list[dict[str, Any]]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, op_doc in enumerate(op_docs):
        where = f"operations[{i}].labels"
        for key, label in dict(op_doc.get("labels") or {}).items():
            if not (isinstance(key, str) and key.isdigit() and isinstance(label, str)):
                raise PlanDocumentError(f"{where} must map user ids to strings")
            out[int(key)] = label
    return dict(sorted(out.items()))


def _set_ids_doc(raw: dict[str, Any]) -> dict[str, int]:
    for name in raw:
        need(raw, name, int, "plan.set_ids")
    return dict(raw)


def _group_ids_doc(raw: list[Any]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        where = f"plan.group_ids[{i}]"
        if not isinstance(item, dict):
            raise PlanDocumentError(f"{where} must be an object")
        key = (need(item, "set", str, where), need(item, "group", str, where))
        out[key] = need(item, "canvas_id", int, where)
    return out


def _strings(raw: list[Any], where: str) -> list[str]:
    if not all(isinstance(s, str) for s in raw):
        raise PlanDocumentError(f"{where} must be a list of strings")
    return raw
