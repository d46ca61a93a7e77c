"""What a plan should point out that no operation says: renames that look like a delete and
a create, sets left alone, groups kept because their set is protected, SIS ids that cannot
be cleared. Pure; warnings and notes for the plan, never operations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TypeVar

from reconciler import semantics
from reconciler.diff import match_sets
from reconciler.matching import match
from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    Operation,
    SetMembers,
)

T = TypeVar("T")

RENAME_OVERLAP = 0.7  # share of members (groups) or group names (sets) that must match


def overlap(a: frozenset[T], b: frozenset[T]) -> float:
    """|a ∩ b| / max(|a|, |b|); 0 for two empty sets."""
    return len(a & b) / max(len(a), len(b)) if a or b else 0.0


def _previous_line(name: str) -> str:
    return f"previous_names: [{json.dumps(name, ensure_ascii=False)}]"


# --- renames that look like a delete and a create ----------------------------------------

def rename_hints(current: CourseState, desired: CourseState,
                 ops: Sequence[Operation]) -> list[str]:
    return [*_group_renames(current, ops), *_set_renames(current, desired, ops)]


def _group_renames(current: CourseState, ops: Sequence[Operation]) -> list[str]:
    created = {(op.set_name, op.group_name): op.members for op in ops
               if isinstance(op, SetMembers) and op.canvas_id is None}
    deleted = [op for op in ops if isinstance(op, DeleteGroup)]
    old_members = {g.canvas_id: g.members or frozenset()
                   for s in current.group_sets for g in s.groups}
    out = []
    for (set_name, new), members in sorted(created.items()):
        for op in deleted:
            before = old_members.get(op.canvas_id, frozenset())
            share = overlap(members, before)
            if op.set_name == set_name and share >= RENAME_OVERLAP:
                out.append(f"group {new!r} in {set_name!r} looks like {op.group_name!r} "
                           f"renamed ({len(members & before)} of {max(len(members), len(before))} "
                           f"members the same), but the plan deletes {op.group_name!r} and its "
                           f"content; to rename it instead, give {new!r} the line  "
                           f"{_previous_line(op.group_name)}")
    return out


def _set_renames(current: CourseState, desired: CourseState,
                 ops: Sequence[Operation]) -> list[str]:
    created = [op.set_name for op in ops if isinstance(op, CreateGroupSet)]
    deleted = {op.canvas_id for op in ops if isinstance(op, DeleteGroupSet)}
    owned = {id(have) for _, have in match_sets(desired, current) if have is not None}
    candidates = [s for s in current.group_sets if not s.protected
                  and (id(s) not in owned or s.canvas_id in deleted)]
    out = []
    for name in created:
        groups = frozenset(op.group_name for op in ops
                           if isinstance(op, CreateGroup) and op.set_name == name)
        for old in candidates:
            before = frozenset(g.name for g in old.groups)
            share = overlap(groups, before)
            if share >= RENAME_OVERLAP:
                fate = "deletes it" if old.canvas_id in deleted else "leaves it as it is"
                out.append(f"group set {name!r} looks like {old.name!r} renamed "
                           f"({len(groups & before)} of {max(len(groups), len(before))} group "
                           f"names the same), but the plan creates a new set and {fate}; to "
                           f"rename it instead, give {name!r} the line  "
                           f"{_previous_line(old.name)}")
    return out


# --- notes ---------------------------------------------------------------------------------

def notes(desired: CourseState, current: CourseState) -> list[str]:
    pairs = match_sets(desired, current)
    return [*_left_alone(pairs, current), *_kept_and_unclearable(pairs)]


def _left_alone(pairs: Iterable[tuple[GroupSet, GroupSet | None]],
                current: CourseState) -> list[str]:
    owned = {id(have) for _, have in pairs if have is not None}
    alone = [s for s in current.group_sets if id(s) not in owned and not s.protected]
    if not alone:
        return []
    listed = ", ".join(f"{s.name!r} ({len(s.groups)} group{'' if len(s.groups) == 1 else 's'})"
                       for s in alone)
    return [f"Canvas also has group sets the spec does not name, left alone: {listed}"]


def _kept_and_unclearable(pairs: Iterable[tuple[GroupSet, GroupSet | None]]) -> list[str]:
    out: list[str] = []
    for want, have in pairs:
        if have is None or want.absent or want.members_mode == "observe":
            continue
        out.extend(_sis_notes(f"group set {want.name!r}", want, have))
        groups = match(want.groups, have.groups, f"group set {want.name!r}", "group")
        for group, cur in groups:
            if cur is not None and not group.absent:
                out.extend(_sis_notes(f"group {group.name!r} in {want.name!r}", group, cur))
        if want.protect and want.unmanaged_groups == "delete":
            matched = {id(cur) for _, cur in groups if cur is not None}
            kept = [g.name for g in have.groups if id(g) not in matched]
            if kept:
                out.append(f"group set {want.name!r} is protected: its groups "
                           f"{', '.join(map(repr, kept))} are not in the spec and are kept")
    return out


def _sis_notes(what: str, want: GroupSet | Group, have: GroupSet | Group) -> list[str]:
    old, new = have.sis_id, want.sis_id
    if "sis_id" in want.managed and not semantics.writable("sis_id", old, new):
        return [f"{what} keeps its SIS id {old!r}: Canvas cannot clear an SIS id through the "
                "API (an SIS import can)"]
    return []
