"""Operations as Terraform-style text lines: `+` create, `~` change, `-` delete.

One formatter per operation type (a dispatch table); the first line of each carries the
symbol, detail lines are indented. Values are shown as JSON (`"text"`, `4`, `null`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reconciler.model import user_label
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    FieldChange,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.wording import plural

Labels = Mapping[int, str]
COLORS = {"+": "\x1b[32m", "~": "\x1b[33m", "-": "\x1b[31m"}
RED, YELLOW = COLORS["-"], COLORS["~"]
RESET = "\x1b[0m"
INDENT = "    "
SUBMISSIONS = "! has submissions"


def quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def label(uid: int | None, labels: Labels) -> str:
    return "(none)" if uid is None else user_label(uid, labels)


def _where(op: CreateGroup | UpdateGroup | DeleteGroup | SetMembers | SetLeader) -> str:
    return f"{quote(op.group_name)} in {quote(op.set_name)}"


def _settings(settings: Mapping[str, Any]) -> list[str]:
    # The name is in the heading; unset values are Canvas's defaults, not worth a line.
    return [f"{INDENT}{k}: {quote(v)}" for k, v in sorted(settings.items())
            if k != "name" and v is not None]


def _changes(changes: Iterable[FieldChange]) -> list[str]:
    """One line per changed field; a rename is in the heading instead."""
    return [f"{INDENT}{c.field}: {quote(c.old)} → {quote(c.new)}" for c in changes
            if c.field != "name"]


def _named(name: str, changes: Iterable[FieldChange]) -> str:
    """`"New"`, or `"Old" → "New"` when the operation renames (same Canvas id, content
    kept)."""
    old = next((c.old for c in changes if c.field == "name"), None)
    return f"{quote(old)} → {quote(name)}" if old is not None else quote(name)


def _marked(line: str, has_submissions: bool) -> str:
    return f"{line}  {SUBMISSIONS}" if has_submissions else line


def _who(uids: Iterable[int], labels: Labels) -> str:
    return ", ".join(sorted(label(uid, labels) for uid in uids))


def _create_set(op: CreateGroupSet, labels: Labels) -> list[str]:
    return [f"+ group set {quote(op.set_name)}", *_settings(op.settings)]


def _update_set(op: UpdateGroupSet, labels: Labels) -> list[str]:
    return [f"~ group set {_named(op.set_name, op.changes)}", *_changes(op.changes)]


def _delete_set(op: DeleteGroupSet, labels: Labels) -> list[str]:
    return [f"- group set {quote(op.set_name)} ({plural(op.group_count, 'group')})"]


def _create_group(op: CreateGroup, labels: Labels) -> list[str]:
    return [f"+ group {_where(op)}", *_settings(op.settings)]


def _update_group(op: UpdateGroup, labels: Labels) -> list[str]:
    return [f"~ group {_named(op.group_name, op.changes)} in {quote(op.set_name)}",
            *_changes(op.changes)]


def _delete_group(op: DeleteGroup, labels: Labels) -> list[str]:
    line = f"- group {_where(op)} ({plural(op.member_count, 'member')})"
    return [_marked(line, op.has_submissions)]


def _set_members(op: SetMembers, labels: Labels) -> list[str]:
    parts = [f"+ {_who(op.add, labels)}" if op.add else "",
             f"- {_who(op.remove, labels)}" if op.remove else ""]
    change = "  ".join(p for p in parts if p) or "(no change)"
    mode = "" if op.mode == "exact" else f"  [members_mode: {op.mode}]"
    return [_marked(f"~ members of {_where(op)}: {change}{mode}", op.has_submissions)]


def _import_members(op: ImportMembers, labels: Labels) -> list[str]:
    head = (f"~ members of {plural(len(op.groups), 'group')} in {quote(op.set_name)}: "
            f"+{op.change_count}  via import")
    return [head, *(f"{INDENT}{quote(g.group_name)}{' (new group)' if g.creates else ''}: "
                    f"+ {_who(g.add, labels)}" for g in op.groups)]


def _set_leader(op: SetLeader, labels: Labels) -> list[str]:
    return [f"~ leader of {_where(op)}: {label(op.old, labels)} → {label(op.leader, labels)}"]


FORMATTERS: dict[type, Callable[[Any, Labels], list[str]]] = {
    CreateGroupSet: _create_set,
    UpdateGroupSet: _update_set,
    DeleteGroupSet: _delete_set,
    CreateGroup: _create_group,
    UpdateGroup: _update_group,
    DeleteGroup: _delete_group,
    SetMembers: _set_members,
    SetLeader: _set_leader,
    ImportMembers: _import_members,
}


def op_lines(op: Operation, labels: Labels, *, color: bool = False) -> list[str]:
    """The lines for one operation; with `color`, the heading coloured by its symbol and a
    submissions mark in red."""
    lines = FORMATTERS[type(op)](op, labels)
    if color:
        head, mark, _ = lines[0].partition(f"  {SUBMISSIONS}")
        tail = f"  {RED}{SUBMISSIONS}{RESET}" if mark else ""
        lines[0] = f"{COLORS[head[0]]}{head}{RESET}{tail}"
    return lines
