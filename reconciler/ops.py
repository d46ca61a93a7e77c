"""Operations: small frozen values, one per verb and entity, each with a phase and a key.

An operation says what should change (intent), with the Canvas ids it needs: its own, and
its parent's where it has one (`CreateGroup.set_id`, `SetMembers.canvas_id`, ...). An id is
None when the object is created earlier in the same plan; apply then looks it up by key
(set name, group name) among the creates that succeeded. No I/O here; how an operation is
sent to Canvas (canvas/wire.py), rendered and executed are elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from reconciler.model import MembersMode
from reconciler.natural import NaturalKey, natural_key
from reconciler.semantics import frees_room
from reconciler.wording import plural


class Phase(IntEnum):
    """Execution order. Lower runs first."""

    UPSERT_SETS = 1
    UPSERT_GROUPS = 2
    SHRINK_MEMBERS = 3
    IMPORT_MEMBERS = 4
    GROW_MEMBERS = 5
    LEADERS = 6
    DELETE_GROUPS = 7
    DELETE_SETS = 8


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


def _ids(values: frozenset[int]) -> list[int]:
    return sorted(values)


@dataclass(frozen=True)
class CreateGroupSet:
    set_name: str
    settings: dict[str, Any] = field(hash=False)
    phase: Phase = field(default=Phase.UPSERT_SETS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name,)

    def describe(self) -> str:
        return f"create group set {self.set_name!r}"

    def as_dict(self) -> dict[str, Any]:
        return {"action": "create", "type": "group_set", "set": self.set_name,
                "settings": dict(self.settings)}


@dataclass(frozen=True)
class UpdateGroupSet:
    """`changes` is the intent; `current` the set's settings in Canvas now, which apply
    sends again where Canvas resets a setting a PUT leaves out (canvas/wire.py)."""

    set_name: str
    canvas_id: int
    changes: tuple[FieldChange, ...]
    current: dict[str, Any] = field(hash=False)
    phase: Phase = field(default=Phase.UPSERT_SETS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name,)

    def describe(self) -> str:
        return f"update group set {self.set_name!r}"

    def as_dict(self) -> dict[str, Any]:
        return {"action": "update", "type": "group_set", "set": self.set_name,
                "canvas_id": self.canvas_id, "changes": [c.as_dict() for c in self.changes],
                "current": dict(self.current)}


@dataclass(frozen=True)
class DeleteGroupSet:
    set_name: str
    canvas_id: int
    group_count: int
    phase: Phase = field(default=Phase.DELETE_SETS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name,)

    def describe(self) -> str:
        return (f"delete group set {self.set_name!r} and its "
                f"{plural(self.group_count, 'group')}")

    def as_dict(self) -> dict[str, Any]:
        return {"action": "delete", "type": "group_set", "set": self.set_name,
                "canvas_id": self.canvas_id, "group_count": self.group_count}


@dataclass(frozen=True)
class CreateGroup:
    """`set_id` is the set's Canvas id; None when the plan creates the set too."""

    set_name: str
    group_name: str
    settings: dict[str, Any] = field(hash=False)
    set_id: int | None = None
    phase: Phase = field(default=Phase.UPSERT_GROUPS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name, self.group_name)

    def describe(self) -> str:
        return f"create group {self.group_name!r} in {self.set_name!r}"

    def as_dict(self) -> dict[str, Any]:
        return {"action": "create", "type": "group", "set": self.set_name,
                "set_id": self.set_id, "group": self.group_name,
                "settings": dict(self.settings)}


@dataclass(frozen=True)
class UpdateGroup:
    """`changes` only: a group PUT leaves omitted attributes as they are."""

    set_name: str
    group_name: str
    canvas_id: int
    changes: tuple[FieldChange, ...]
    phase: Phase = field(default=Phase.UPSERT_GROUPS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name, self.group_name)

    def describe(self) -> str:
        return f"update group {self.group_name!r} in {self.set_name!r}"

    def as_dict(self) -> dict[str, Any]:
        return {"action": "update", "type": "group", "set": self.set_name,
                "group": self.group_name, "canvas_id": self.canvas_id,
                "changes": [c.as_dict() for c in self.changes]}


@dataclass(frozen=True)
class DeleteGroup:
    """`has_submissions`: Canvas holds submissions made by this group."""

    set_name: str
    group_name: str
    canvas_id: int
    member_count: int
    has_submissions: bool = False
    phase: Phase = field(default=Phase.DELETE_GROUPS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name, self.group_name)

    def describe(self) -> str:
        return f"delete group {self.group_name!r} in {self.set_name!r}"

    def as_dict(self) -> dict[str, Any]:
        return {"action": "delete", "type": "group", "set": self.set_name,
                "group": self.group_name, "canvas_id": self.canvas_id,
                "member_count": self.member_count, "has_submissions": self.has_submissions}


@dataclass(frozen=True)
class SetMembers:
    """Replace a group's members with `members` (one PUT members[]).

    `canvas_id` is None when the group is created earlier in the same plan. `add` and
    `remove` are what changes against Canvas; `members` is the whole list to send. `mode` is
    the set's members_mode that produced it, shown in the plan. `has_submissions`: members
    leave a group that holds submissions.
    """

    set_name: str
    group_name: str
    canvas_id: int | None
    members: frozenset[int]
    add: frozenset[int]
    remove: frozenset[int]
    mode: MembersMode = "exact"
    has_submissions: bool = False

    @property
    def phase(self) -> Phase:
        return Phase.SHRINK_MEMBERS if frees_room(self.add, self.remove) else Phase.GROW_MEMBERS

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name, self.group_name)

    @property
    def change_count(self) -> int:
        return len(self.add) + len(self.remove)

    def describe(self) -> str:
        return (f"set members of {self.group_name!r} in {self.set_name!r}: "
                f"+{len(self.add)} -{len(self.remove)}")

    def as_dict(self) -> dict[str, Any]:
        return {"action": "set_members", "type": "group", "set": self.set_name,
                "group": self.group_name, "canvas_id": self.canvas_id,
                "members": _ids(self.members), "add": _ids(self.add),
                "remove": _ids(self.remove), "members_mode": self.mode,
                "has_submissions": self.has_submissions}


@dataclass(frozen=True)
class SetLeader:
    set_name: str
    group_name: str
    canvas_id: int | None
    leader: int | None
    old: int | None
    phase: Phase = field(default=Phase.LEADERS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name, self.group_name)

    def describe(self) -> str:
        return f"set leader of {self.group_name!r} in {self.set_name!r}"

    def as_dict(self) -> dict[str, Any]:
        return {"action": "set_leader", "type": "group", "set": self.set_name,
                "group": self.group_name, "canvas_id": self.canvas_id,
                "leader": self.leader, "old": self.old}


@dataclass(frozen=True)
class ImportGroup:
    """One group's rows in an import: the users it gains. `canvas_id` None: the group is
    created earlier in the plan (found by name then), or, with `creates`, by the import."""

    group_name: str
    canvas_id: int | None
    add: frozenset[int]
    creates: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group_name, "canvas_id": self.canvas_id, "add": _ids(self.add),
                "creates": self.creates}


@dataclass(frozen=True)
class ImportMembers:
    """Canvas's group-set CSV import (one request and a Progress, Q-CSV-IMPORT) in place of
    a members[] write per group: students only, adds and moves only, never a removal. The
    bulk planning rule (bulk.py) decides which member writes it replaces."""

    set_name: str
    set_id: int | None
    groups: tuple[ImportGroup, ...]
    phase: Phase = field(default=Phase.IMPORT_MEMBERS, init=False)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.set_name,)

    @property
    def add(self) -> frozenset[int]:
        return frozenset(uid for g in self.groups for uid in g.add)

    @property
    def change_count(self) -> int:
        return sum(len(g.add) for g in self.groups)

    def describe(self) -> str:
        return (f"import {plural(self.change_count, 'member')} into "
                f"{plural(len(self.groups), 'group')} of {self.set_name!r}")

    def as_dict(self) -> dict[str, Any]:
        return {"action": "import_members", "type": "group_set", "set": self.set_name,
                "set_id": self.set_id, "groups": [g.as_dict() for g in self.groups],
                "via": "import"}


Operation = (
    CreateGroupSet | UpdateGroupSet | DeleteGroupSet | CreateGroup | UpdateGroup
    | DeleteGroup | SetMembers | SetLeader | ImportMembers
)

DELETIONS = (DeleteGroupSet, DeleteGroup)


SortKey = tuple[int, int, tuple[NaturalKey, ...]]


def sort_key(op: Operation) -> SortKey:
    """Phase, then set renames before set creates (a rename may free the name a create
    needs, semantics.set_name_clash), then key in natural order (Pair 2 before Pair 10)."""
    return (int(op.phase), 0 if isinstance(op, UpdateGroupSet) else 1,
            tuple(natural_key(part) for part in op.key))
