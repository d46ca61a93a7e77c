"""Pure diff: desired CourseState vs current CourseState -> operations (intent only).

Set algebra on natural keys (matching.py), then compare only the fields the spec manages,
after semantics.py has turned both sides into what Canvas will hold. Only sets the spec
names are owned; every other set is left alone. Field comparison goes through deepdiff,
normalised into `ops.FieldChange` here so its types never leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deepdiff import DeepDiff
from pydantic import BaseModel

from reconciler import semantics
from reconciler.errors import StateError
from reconciler.matching import Pair, match
from reconciler.model import GROUP_FIELDS, GROUP_SET_FIELDS, CourseState, Group, GroupSet
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    FieldChange,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
    sort_key,
)
from reconciler.wording import plural


def diff(desired: CourseState, current: CourseState) -> list[Operation]:
    """The operations that make `current` match `desired` for the sets `desired` names."""
    ops: list[Operation] = []
    for want, have in match_sets(desired, current):
        if want.members_mode != "observe":
            ops.extend(_diff_set(want, have))
    return ops


def drift(desired: CourseState, current: CourseState) -> list[str]:
    """Human-readable differences in `observe` sets, which diff never writes to."""
    lines: list[str] = []
    for want, have in match_sets(desired, current):
        if want.members_mode == "observe":
            lines.extend(_drift_lines(want, have))
    return lines


def implicit_moves(current: CourseState, ops: Iterable[Operation]) -> list[semantics.Move]:
    """Users the operations pull out of groups no operation writes (one group per set)."""
    ops = list(ops)
    writes = [op for op in ops if isinstance(op, SetMembers)]
    written = {(op.set_name, op.group_name) for op in ops
               if isinstance(op, SetMembers | DeleteGroup)}
    return semantics.implicit_moves(current, writes, written)


def match_sets(desired: CourseState, current: CourseState) -> list[Pair[GroupSet]]:
    """Each desired set with the current set it owns (or None); protected sets refused."""
    owner = f"course {current.course_id}"
    pairs = match(desired.group_sets, current.group_sets, owner, "group set")
    for want, have in pairs:
        if have is not None and have.protected:
            raise StateError(
                f"the spec names group set {want.name!r}, which matches protected group set "
                f"{have.name!r} (id {have.canvas_id}); reconciler never changes it. "
                "Remove it from the spec or rename it.")
    clash = semantics.set_name_clash(pairs, current)
    if clash is not None:
        raise StateError(f"{owner}: {clash}")
    return pairs


def _canvas_id(entity: GroupSet | Group) -> int:
    if entity.canvas_id is None:
        raise StateError(f"current state has {entity.name!r} without a Canvas id")
    return entity.canvas_id


# --- field comparison -------------------------------------------------------------------

def field_changes(old: BaseModel, new: BaseModel,
                  fields: Iterable[str]) -> tuple[FieldChange, ...]:
    """FieldChange for each of `fields` whose value differs, sorted by field name."""
    before = {f: semantics.comparable(f, getattr(old, f)) for f in fields}
    after = {f: semantics.comparable(f, getattr(new, f)) for f in before}
    tree = DeepDiff(before, after, view="tree")
    changed = {str(level.path(output_format="list")[0])
               for levels in tree.values() for level in levels}
    return tuple(FieldChange(f, before[f], after[f]) for f in sorted(changed)
                 if semantics.writable(f, before[f], after[f]))


def _managed(entity: GroupSet | Group, allowed: frozenset[str]) -> list[str]:
    return sorted(entity.managed & allowed)


def _compared(want: GroupSet | Group, have: GroupSet | Group, allowed: frozenset[str]) -> list[str]:
    # Name is part of the key; it only differs when the match was made by SIS id.
    rename = ["name"] if want.name != have.name else []
    return rename + _managed(want, allowed)


# --- group sets -------------------------------------------------------------------------

def _diff_set(want: GroupSet, have: GroupSet | None) -> list[Operation]:
    if want.absent:
        return [_delete_set(have)] if have is not None else []
    if have is None:
        return _create_set(want)
    return [*_update_set(want, have), *_diff_groups(want, have, _canvas_id(have))]


def _delete_set(have: GroupSet) -> DeleteGroupSet:
    return DeleteGroupSet(have.name, _canvas_id(have), len(have.groups))


def _create_set(want: GroupSet) -> list[Operation]:
    settings: dict[str, Any] = {"name": want.name}
    settings.update({f: getattr(want, f) for f in _managed(want, GROUP_SET_FIELDS)})
    ops: list[Operation] = [CreateGroupSet(want.name, settings)]
    for group in want.groups:
        if not group.absent:
            ops.extend(_create_group(want, group, None, semantics.set_limit(
                want.group_limit, None, "group_limit" in want.managed)))
    return ops


def _update_set(want: GroupSet, have: GroupSet) -> list[Operation]:
    changes = field_changes(have, want, _compared(want, have, GROUP_SET_FIELDS))
    if not changes:
        return []
    current = {f: getattr(have, f) for f in ("name", *sorted(GROUP_SET_FIELDS))}
    return [UpdateGroupSet(want.name, _canvas_id(have), changes, current)]


# --- groups -----------------------------------------------------------------------------

def _diff_groups(want: GroupSet, have: GroupSet, set_id: int) -> list[Operation]:
    pairs = match(want.groups, have.groups, f"group set {want.name!r}", "group")
    claims = _claimed_members(want)
    limit = semantics.set_limit(want.group_limit, have.group_limit,
                                "group_limit" in want.managed)
    ops: list[Operation] = []
    for group, cur in pairs:
        if cur is not None:
            cur = semantics.group_after_set_update(cur, have.group_limit, limit)
            group = semantics.group_as_stored(group, cur, limit)
        ops.extend(_diff_group(want, set_id, group, cur, claims, limit))
    if want.unmanaged_groups == "delete" and not want.protect:
        matched = {id(cur) for _, cur in pairs if cur is not None}
        ops.extend(_delete_group(want.name, g) for g in have.groups if id(g) not in matched)
    return ops


def _claimed_members(want: GroupSet) -> frozenset[int]:
    """Users the spec places in some group of this set."""
    return frozenset(user for g in want.groups if not g.absent and g.members is not None
                     for user in g.members)


def _diff_group(gset: GroupSet, set_id: int, want: Group, have: Group | None,
                claims: frozenset[int], limit: int | None) -> list[Operation]:
    if want.absent:
        if gset.protect:
            return []  # a protected set's groups are never deleted (the spec refuses this)
        return [_delete_group(gset.name, have)] if have is not None else []
    if have is None:
        return _create_group(gset, want, set_id, limit)
    return [*_update_group(gset.name, want, have), *_members(gset, want, have, claims, limit),
            *_leader(gset.name, want, have)]


def _create_group(gset: GroupSet, want: Group, set_id: int | None,
                  limit: int | None) -> list[Operation]:
    set_name = gset.name
    settings: dict[str, Any] = {"name": want.name}
    settings.update({f: getattr(want, f) for f in _managed(want, GROUP_FIELDS)})
    ops: list[Operation] = [CreateGroup(set_name, want.name, settings, set_id)]
    if want.members:
        stored = want.max_membership if "max_membership" in want.managed else None
        _check_room(gset, want.name, want.members, semantics.capacity(stored, limit))
        ops.append(SetMembers(set_name, want.name, None, want.members, want.members,
                              frozenset(), gset.members_mode))
    if "leader" in want.managed and want.leader is not None:
        ops.append(SetLeader(set_name, want.name, None, want.leader, None))
    return ops


def _update_group(set_name: str, want: Group, have: Group) -> list[Operation]:
    changes = field_changes(have, want, _compared(want, have, GROUP_FIELDS))
    return [UpdateGroup(set_name, want.name, _canvas_id(have), changes)] if changes else []


def _delete_group(set_name: str, have: Group) -> DeleteGroup:
    return DeleteGroup(set_name, have.name, _canvas_id(have), len(have.members or ()),
                       have.has_submission)


def _members(gset: GroupSet, want: Group, have: Group, claims: frozenset[int],
             limit: int | None) -> list[Operation]:
    if want.members is None or gset.members_mode == "seed":
        return []  # unmanaged, or seeded only when the group is created
    now = have.members or frozenset()
    if gset.members_mode == "additive":
        target, add, remove = semantics.additive_target(now, want.members, claims), \
            want.members - now, frozenset[int]()
    else:
        target, add, remove = want.members, want.members - now, now - want.members
    if not add and not remove:
        return []
    if add:  # Canvas checks room only for new members, after the removals
        _check_room(gset, want.name, target, semantics.capacity(
            want.max_membership if "max_membership" in want.managed else have.max_membership,
            limit))
    return [SetMembers(gset.name, want.name, _canvas_id(have), target, add, remove,
                       gset.members_mode, have.has_submission and bool(now - target))]


def _check_room(gset: GroupSet, group: str, members: frozenset[int], room: int | None) -> None:
    """Refuse, before anything is written, a group Canvas would not fill (it drops the
    members past its limit silently, Q-MEMBERS-REPLACE)."""
    if room is not None and len(members) > room:
        raise StateError(f"group {group!r} in {gset.name!r} can hold {plural(room, 'member')} (its "
                         f"max_membership, or its set's group_limit) but the spec places "
                         f"{len(members)} in it; raise the limit or move "
                         f"{len(members) - room} of them")


def _leader(set_name: str, want: Group, have: Group) -> list[Operation]:
    if "leader" not in want.managed or want.leader == have.leader:
        return []
    return [SetLeader(set_name, want.name, _canvas_id(have), want.leader, have.leader)]


# --- drift (observe mode) ---------------------------------------------------------------

def _drift_lines(want: GroupSet, have: GroupSet | None) -> list[str]:
    where = f"group set {want.name!r} (observe, not changed)"
    probe = want.model_copy(update={"members_mode": "exact"})
    try:
        ops = sorted(_diff_set(probe, have), key=sort_key)
    except StateError as exc:
        return [f"{where}: {exc.message}"]
    return [f"{where}: Canvas differs from the spec: would {op.describe()}" for op in ops]
