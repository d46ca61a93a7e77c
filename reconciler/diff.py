"""Pure diff: desired CourseState vs current CourseState -> operations.

Set algebra on natural keys: match (SIS id, else name), then compare only the fields the
spec manages. Only sets the spec names are owned; every other set is left alone. Field
comparison goes through deepdiff, normalised into `ops.FieldChange` here so its types
never leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from deepdiff import DeepDiff
from pydantic import BaseModel

from reconciler.errors import StateError
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

# Every setting a category PUT must carry: Canvas resets the ones it leaves out.
SET_SETTINGS: tuple[str, ...] = ("name", "self_signup", "auto_leader", "group_limit", "sis_id")

Entity = TypeVar("Entity", GroupSet, Group)
Pair = tuple[Entity, Entity | None]


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


def match_sets(desired: CourseState, current: CourseState) -> list[Pair[GroupSet]]:
    """Each desired set with the current set it owns (or None); protected sets refused."""
    owner = f"course {current.course_id}"
    pairs = _match(desired.group_sets, current.group_sets, owner, "group set")
    for want, have in pairs:
        if have is not None and have.protected:
            raise StateError(
                f"the spec names group set {want.name!r}, which matches protected group set "
                f"{have.name!r} (id {have.canvas_id}); reconciler never changes it. "
                "Remove it from the spec or rename it.")
    return pairs


# --- matching ---------------------------------------------------------------------------

def _match(wanted: Sequence[Entity], have: Sequence[Entity], owner: str,
           noun: str) -> list[Pair[Entity]]:
    """Pair each wanted entity with a current one: by SIS id first, then by name among the
    current entities no SIS id claimed. An absent entry with an SIS id matches only by SIS
    id: a deletion never falls back to guessing by name."""
    sis_index = {h.sis_id: i for i, h in enumerate(have) if h.sis_id is not None}
    picks = [sis_index.get(w.sis_id) if w.sis_id is not None else None for w in wanted]
    sis_taken = {i for i in picks if i is not None}
    claimed: dict[int, str] = {}
    pairs: list[Pair[Entity]] = []
    for want, pick in zip(wanted, picks, strict=True):
        if pick is None and not (want.absent and want.sis_id is not None):
            pick = _by_name(want.name, have, sis_taken, owner, noun)
        if pick is not None:
            _claim(claimed, pick, want.name, have[pick], owner, noun)
        pairs.append((want, have[pick] if pick is not None else None))
    return pairs


def _by_name(name: str, have: Sequence[Entity], taken: set[int], owner: str,
             noun: str) -> int | None:
    found = [i for i, h in enumerate(have) if h.name == name and i not in taken]
    if len(found) > 1:
        ids = ", ".join(str(have[i].canvas_id) for i in found)
        raise StateError(f"{owner} has {len(found)} {noun}s named {name!r} (ids {ids}); "
                         "rename one in Canvas or give the spec an sis_id")
    return found[0] if found else None


def _claim(claimed: dict[int, str], pick: int, by: str, target: GroupSet | Group,
           owner: str, noun: str) -> None:
    if pick in claimed:
        raise StateError(f"{owner}: spec entries {claimed[pick]!r} and {by!r} both match "
                         f"{noun} {target.name!r} (id {target.canvas_id})")
    claimed[pick] = by


def _canvas_id(entity: GroupSet | Group) -> int:
    if entity.canvas_id is None:
        raise StateError(f"current state has {entity.name!r} without a Canvas id")
    return entity.canvas_id


# --- field comparison -------------------------------------------------------------------

def field_changes(old: BaseModel, new: BaseModel,
                  fields: Iterable[str]) -> tuple[FieldChange, ...]:
    """FieldChange for each of `fields` whose value differs, sorted by field name."""
    before = {f: _comparable(f, getattr(old, f)) for f in fields}
    after = {f: _comparable(f, getattr(new, f)) for f in before}
    tree = DeepDiff(before, after, view="tree")
    changed = {str(level.path(output_format="list")[0])
               for levels in tree.values() for level in levels}
    return tuple(FieldChange(f, before[f], after[f]) for f in sorted(changed))


def _comparable(name: str, value: Any) -> Any:
    """Canvas cannot store a null description: the form-encoded null is an empty string,
    which Canvas keeps. So "" and null are the same description, and never a change."""
    return None if name == "description" and value == "" else value


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
    return [*_update_set(want, have), *_diff_groups(want, have)]


def _delete_set(have: GroupSet) -> DeleteGroupSet:
    return DeleteGroupSet(have.name, _canvas_id(have), len(have.groups))


def _create_set(want: GroupSet) -> list[Operation]:
    settings: dict[str, Any] = {"name": want.name}
    settings.update({f: getattr(want, f) for f in _managed(want, GROUP_SET_FIELDS)})
    ops: list[Operation] = [CreateGroupSet(want.name, settings)]
    for group in want.groups:
        if not group.absent:
            ops.extend(_create_group(want, group))
    return ops


def _update_set(want: GroupSet, have: GroupSet) -> list[Operation]:
    changes = field_changes(have, want, _compared(want, have, GROUP_SET_FIELDS))
    if not changes:
        return []
    settings = {f: getattr(want if f == "name" or f in want.managed else have, f)
                for f in SET_SETTINGS}
    return [UpdateGroupSet(want.name, _canvas_id(have), changes, settings)]


# --- groups -----------------------------------------------------------------------------

def _diff_groups(want: GroupSet, have: GroupSet) -> list[Operation]:
    pairs = _match(want.groups, have.groups, f"group set {want.name!r}", "group")
    claims = _claimed_members(want)
    limit = want.group_limit if "group_limit" in want.managed else have.group_limit
    ops: list[Operation] = []
    for group, cur in pairs:
        if cur is not None:
            cur = _after_limit(cur, have.group_limit, limit)
            group = _inherit_limit(group, cur, limit)
        ops.extend(_diff_group(want, group, cur, claims))
    if want.unmanaged_groups == "delete":
        matched = {id(cur) for _, cur in pairs if cur is not None}
        ops.extend(_delete_group(want.name, g) for g in have.groups if id(g) not in matched)
    return ops


def _after_limit(have: Group, before: int | None, after: int | None) -> Group:
    """Canvas copies a changed group_limit into every group's max_membership (groups.md
    §4.2), and the set is updated before its groups: compare with what the group will hold."""
    if before == after:
        return have
    return have.model_copy(update={"max_membership": after})


def _inherit_limit(want: Group, have: Group, limit: int | None) -> Group:
    """Canvas fills an empty max_membership from the set's group_limit whenever a group is
    saved (groups.md §4.2), so a spec's `null` there means "the set's limit" and is already
    satisfied by it."""
    if ("max_membership" in want.managed and want.max_membership is None
            and limit is not None and have.max_membership == limit):
        return want.model_copy(update={"max_membership": have.max_membership})
    return want


def _claimed_members(want: GroupSet) -> frozenset[int]:
    """Users the spec places in some group of this set."""
    return frozenset(user for g in want.groups if not g.absent and g.members is not None
                     for user in g.members)


def _diff_group(gset: GroupSet, want: Group, have: Group | None,
                claims: frozenset[int]) -> list[Operation]:
    if want.absent:
        return [_delete_group(gset.name, have)] if have is not None else []
    if have is None:
        return _create_group(gset, want)
    return [*_update_group(gset.name, want, have), *_members(gset, want, have, claims),
            *_leader(gset.name, want, have)]


def _create_group(gset: GroupSet, want: Group) -> list[Operation]:
    set_name = gset.name
    settings: dict[str, Any] = {"name": want.name}
    settings.update({f: getattr(want, f) for f in _managed(want, GROUP_FIELDS)})
    ops: list[Operation] = [CreateGroup(set_name, want.name, settings)]
    if want.members:
        ops.append(SetMembers(set_name, want.name, None, want.members, want.members,
                              frozenset(), gset.members_mode))
    if "leader" in want.managed and want.leader is not None:
        ops.append(SetLeader(set_name, want.name, None, want.leader, None))
    return ops


def _update_group(set_name: str, want: Group, have: Group) -> list[Operation]:
    changes = field_changes(have, want, _compared(want, have, GROUP_FIELDS))
    return [UpdateGroup(set_name, want.name, _canvas_id(have), changes)] if changes else []


def _delete_group(set_name: str, have: Group) -> DeleteGroup:
    return DeleteGroup(set_name, have.name, _canvas_id(have), len(have.members or ()))


def _members(gset: GroupSet, want: Group, have: Group,
             claims: frozenset[int]) -> list[Operation]:
    if want.members is None or gset.members_mode == "seed":
        return []  # unmanaged, or seeded only when the group is created
    now = have.members or frozenset()
    if gset.members_mode == "additive":
        return _additive(gset.name, want, have, want.members, claims)
    if want.members == now:
        return []
    return [SetMembers(gset.name, want.name, _canvas_id(have), want.members,
                       want.members - now, now - want.members)]


def _additive(set_name: str, want: Group, have: Group, wanted: frozenset[int],
              claims: frozenset[int]) -> list[Operation]:
    """Add, never remove. A user the spec places in another group of this set is left out
    of `members`: that group's PUT moves them (one group per set) and records the add, so
    the two PUTs give the same result in either order."""
    now = have.members or frozenset()
    add = wanted - now
    if not add:
        return []
    target = (now | wanted) - (claims - wanted)
    return [SetMembers(set_name, want.name, _canvas_id(have), target, add, frozenset(),
                       "additive")]


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
