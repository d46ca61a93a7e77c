"""Operations from their `as_dict()` form, for reading saved plan documents.

Every read checks its type and says where a bad document is wrong
(`operations[3].set must be a string`), raising PlanDocumentError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.errors import ReconcilerError
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
)


class PlanDocumentError(ReconcilerError):
    """A saved plan file is not a plan document this version can read."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"invalid plan document: {detail}")


def need(doc: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """doc[key], checked to be of `kind` (bool never passes for int)."""
    if key not in doc:
        raise PlanDocumentError(f"{where}.{key} is missing")
    value = doc[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise PlanDocumentError(f"{where}.{key} must be {names}, not {value!r}")
    return value


def _str(doc: dict[str, Any], key: str, where: str) -> str:
    value: str = need(doc, key, str, where)
    return value


def _int(doc: dict[str, Any], key: str, where: str) -> int:
    value: int = need(doc, key, int, where)
    return value


def _opt_int(doc: dict[str, Any], key: str, where: str) -> int | None:
    value: int | None = need(doc, key, (int, type(None)), where)
    return value


def _ids(doc: dict[str, Any], key: str, where: str) -> frozenset[int]:
    values: list[Any] = need(doc, key, list, where)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise PlanDocumentError(f"{where}.{key} must be a list of user ids")
    return frozenset(values)


def _settings(doc: dict[str, Any], where: str) -> dict[str, Any]:
    value: dict[str, Any] = need(doc, "settings", dict, where)
    return dict(value)


def _changes(doc: dict[str, Any], where: str) -> tuple[FieldChange, ...]:
    items: list[Any] = need(doc, "changes", list, where)
    out = []
    for i, item in enumerate(items):
        at = f"{where}.changes[{i}]"
        if not isinstance(item, dict):
            raise PlanDocumentError(f"{at} must be an object")
        out.append(FieldChange(_str(item, "field", at), item.get("old"), item.get("new")))
    return tuple(out)


def _create_set(d: dict[str, Any], w: str) -> Operation:
    return CreateGroupSet(_str(d, "set", w), _settings(d, w))


def _update_set(d: dict[str, Any], w: str) -> Operation:
    return UpdateGroupSet(_str(d, "set", w), _int(d, "canvas_id", w), _changes(d, w),
                          _settings(d, w))


def _delete_set(d: dict[str, Any], w: str) -> Operation:
    return DeleteGroupSet(_str(d, "set", w), _int(d, "canvas_id", w), _int(d, "group_count", w))


def _create_group(d: dict[str, Any], w: str) -> Operation:
    return CreateGroup(_str(d, "set", w), _str(d, "group", w), _settings(d, w))


def _update_group(d: dict[str, Any], w: str) -> Operation:
    return UpdateGroup(_str(d, "set", w), _str(d, "group", w), _int(d, "canvas_id", w),
                       _changes(d, w))


def _delete_group(d: dict[str, Any], w: str) -> Operation:
    return DeleteGroup(_str(d, "set", w), _str(d, "group", w), _int(d, "canvas_id", w),
                       _int(d, "member_count", w))


def _set_members(d: dict[str, Any], w: str) -> Operation:
    return SetMembers(_str(d, "set", w), _str(d, "group", w), _opt_int(d, "canvas_id", w),
                      _ids(d, "members", w), _ids(d, "add", w), _ids(d, "remove", w),
                      _mode(d, w))


def _mode(d: dict[str, Any], w: str) -> str:
    mode = d.get("members_mode", "exact")
    if mode not in ("exact", "additive", "seed", "observe"):
        raise PlanDocumentError(f"{w}.members_mode: {mode!r} is not a members mode")
    return str(mode)


def _set_leader(d: dict[str, Any], w: str) -> Operation:
    return SetLeader(_str(d, "set", w), _str(d, "group", w), _opt_int(d, "canvas_id", w),
                     _opt_int(d, "leader", w), _opt_int(d, "old", w))


_READERS: dict[tuple[str, str], Callable[[dict[str, Any], str], Operation]] = {
    ("create", "group_set"): _create_set,
    ("update", "group_set"): _update_set,
    ("delete", "group_set"): _delete_set,
    ("create", "group"): _create_group,
    ("update", "group"): _update_group,
    ("delete", "group"): _delete_group,
    ("set_members", "group"): _set_members,
    ("set_leader", "group"): _set_leader,
}


def op_from_dict(doc: Any, where: str) -> Operation:
    """The inverse of `op.as_dict()`; extra keys (phase, labels) are ignored."""
    if not isinstance(doc, dict):
        raise PlanDocumentError(f"{where} must be an object")
    kind = (doc.get("action"), doc.get("type"))
    reader = _READERS.get(kind)  # type: ignore[arg-type]
    if reader is None:
        raise PlanDocumentError(f"{where} has unknown action/type {kind[0]!r}/{kind[1]!r}")
    return reader(doc, where)
