"""The plan document: a Plan as versioned JSON and back (docs/plan-format.md).

`plan_to_dict` writes it; `plan_from_dict` reads it, checking every value's type and saying
where a bad document is wrong (`operations[3].set must be str, not 5`) with a
PlanDocumentError. Reading a written document gives back an equal Plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from reconciler.errors import PlanDocumentError
from reconciler.model import (
    GROUP_FIELDS,
    GROUP_SET_FIELDS,
    MEMBER_KINDS,
    MEMBERS_MODES,
    CourseState,
    MemberKind,
    MembersMode,
    user_label,
)
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    FieldChange,
    ImportGroup,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.plan import Plan, order, user_ids

FORMAT_VERSION = 2
SET_KEYS = frozenset({"name", *GROUP_SET_FIELDS})
GROUP_KEYS = frozenset({"name", *GROUP_FIELDS})


# --- writing ----------------------------------------------------------------------------

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
        "notes": list(plan.notes),
        "known_ids": {"group_sets": sorted(plan.known_set_ids),
                      "groups": sorted(plan.known_group_ids)},
        "members_by": plan.members_by,
        "baseline": _state_doc(plan.baseline),
        "desired": _state_doc(plan.desired),
    }


def _state_doc(state: CourseState) -> dict[str, Any]:
    """A CourseState as JSON, its sets of ids and field names sorted (same plan, same
    bytes); sets and groups keep their order."""
    doc = state.model_dump(mode="json")
    for gset in doc["group_sets"]:
        gset["managed"] = sorted(gset["managed"])
        for group in gset["groups"]:
            group["managed"] = sorted(group["managed"])
            if group["members"] is not None:
                group["members"] = sorted(group["members"])
    return doc


def _op_doc(op: Operation, labels: Mapping[int, str]) -> dict[str, Any]:
    doc = op.as_dict()
    doc["phase"] = op.phase.name.lower()
    named = sorted(user_ids([op]))
    if named:
        doc["labels"] = {str(uid): user_label(uid, labels) for uid in named}
    return doc


# --- reading ----------------------------------------------------------------------------

def plan_from_dict(doc: Any) -> Plan:
    """Read a saved plan document; PlanDocumentError (a ReconcilerError) if it is bad."""
    if not isinstance(doc, dict):
        raise PlanDocumentError("the document must be a JSON object")
    version = doc.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise PlanDocumentError(f"format_version is {version!r}; this version of reconciler "
                                f"reads format_version {FORMAT_VERSION}")
    op_docs = need(doc, "operations", list, "plan")
    ops = [op_from_dict(item, f"operations[{i}]") for i, item in enumerate(op_docs)]
    known = need(doc, "known_ids", dict, "plan")
    return Plan(
        course_id=need(doc, "course_id", int, "plan"),
        operations=tuple(sorted(ops, key=order)),
        labels=_labels(op_docs),
        fingerprint=need(doc, "fingerprint", str, "plan"),
        warnings=tuple(_strings(need(doc, "warnings", list, "plan"), "plan.warnings")),
        notes=tuple(_strings(need(doc, "notes", list, "plan"), "plan.notes")),
        known_set_ids=_ids(known, "group_sets", "plan.known_ids", "Canvas ids"),
        known_group_ids=_ids(known, "groups", "plan.known_ids", "Canvas ids"),
        members_by=_members_by(doc),
        baseline=_state(doc, "baseline"),
        desired=_state(doc, "desired"),
    )


def _members_by(doc: dict[str, Any]) -> MemberKind:
    kind = need(doc, "members_by", str, "plan")
    if kind not in MEMBER_KINDS:
        raise PlanDocumentError(f"plan.members_by: {kind!r} is not a member kind")
    return kind  # type: ignore[no-any-return]


def _state(doc: dict[str, Any], key: str) -> CourseState:
    try:
        return CourseState.model_validate(need(doc, key, dict, "plan"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanDocumentError(f"plan.{key}.{where}: {first['msg']}") from None


def _labels(op_docs: list[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, op_doc in enumerate(op_docs):
        where = f"operations[{i}].labels"
        raw = op_doc.get("labels") or {}
        if not isinstance(raw, dict):
            raise PlanDocumentError(f"{where} must map user ids to strings")
        for key, label in raw.items():
            if not (isinstance(key, str) and key.isdigit() and isinstance(label, str)):
                raise PlanDocumentError(f"{where} must map user ids to strings")
            out[int(key)] = label
    return dict(sorted(out.items()))


def _strings(raw: list[Any], where: str) -> list[str]:
    if not all(isinstance(s, str) for s in raw):
        raise PlanDocumentError(f"{where} must be a list of strings")
    return raw


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


def _ids(doc: dict[str, Any], key: str, where: str, noun: str = "user ids") -> frozenset[int]:
    values: list[Any] = need(doc, key, list, where)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise PlanDocumentError(f"{where}.{key} must be a list of {noun}")
    return frozenset(values)


def _fields(doc: dict[str, Any], key: str, allowed: frozenset[str],
            where: str) -> dict[str, Any]:
    value: dict[str, Any] = need(doc, key, dict, where)
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise PlanDocumentError(f"{where}.{key} has unknown field(s) {', '.join(unknown)}")
    return dict(value)


def _changes(doc: dict[str, Any], allowed: frozenset[str], where: str) \
        -> tuple[FieldChange, ...]:
    items: list[Any] = need(doc, "changes", list, where)
    out = []
    for i, item in enumerate(items):
        at = f"{where}.changes[{i}]"
        if not isinstance(item, dict):
            raise PlanDocumentError(f"{at} must be an object")
        name = _str(item, "field", at)
        if name not in allowed:
            raise PlanDocumentError(f"{at}.field {name!r} is not a field reconciler writes")
        out.append(FieldChange(name, item.get("old"), item.get("new")))
    return tuple(out)


def _create_set(d: dict[str, Any], w: str) -> Operation:
    return CreateGroupSet(_str(d, "set", w), _fields(d, "settings", SET_KEYS, w))


def _update_set(d: dict[str, Any], w: str) -> Operation:
    return UpdateGroupSet(_str(d, "set", w), _int(d, "canvas_id", w),
                          _changes(d, SET_KEYS, w), _fields(d, "current", SET_KEYS, w))


def _delete_set(d: dict[str, Any], w: str) -> Operation:
    return DeleteGroupSet(_str(d, "set", w), _int(d, "canvas_id", w), _int(d, "group_count", w))


def _create_group(d: dict[str, Any], w: str) -> Operation:
    return CreateGroup(_str(d, "set", w), _str(d, "group", w),
                       _fields(d, "settings", GROUP_KEYS, w), _opt_int(d, "set_id", w))


def _update_group(d: dict[str, Any], w: str) -> Operation:
    return UpdateGroup(_str(d, "set", w), _str(d, "group", w), _int(d, "canvas_id", w),
                       _changes(d, GROUP_KEYS, w))


def _delete_group(d: dict[str, Any], w: str) -> Operation:
    return DeleteGroup(_str(d, "set", w), _str(d, "group", w), _int(d, "canvas_id", w),
                       _int(d, "member_count", w), need(d, "has_submissions", bool, w))


def _set_members(d: dict[str, Any], w: str) -> Operation:
    return SetMembers(_str(d, "set", w), _str(d, "group", w), _opt_int(d, "canvas_id", w),
                      _ids(d, "members", w), _ids(d, "add", w), _ids(d, "remove", w),
                      _mode(d, w), need(d, "has_submissions", bool, w))


def _mode(d: dict[str, Any], w: str) -> MembersMode:
    mode = d.get("members_mode", "exact")
    if mode not in MEMBERS_MODES:
        raise PlanDocumentError(f"{w}.members_mode: {mode!r} is not a members mode")
    return mode  # type: ignore[no-any-return]


def _set_leader(d: dict[str, Any], w: str) -> Operation:
    return SetLeader(_str(d, "set", w), _str(d, "group", w), _opt_int(d, "canvas_id", w),
                     _opt_int(d, "leader", w), _opt_int(d, "old", w))


def _import_members(d: dict[str, Any], w: str) -> Operation:
    groups = []
    for i, item in enumerate(need(d, "groups", list, w)):
        at = f"{w}.groups[{i}]"
        if not isinstance(item, dict):
            raise PlanDocumentError(f"{at} must be an object")
        groups.append(ImportGroup(_str(item, "group", at), _opt_int(item, "canvas_id", at),
                                  _ids(item, "add", at), need(item, "creates", bool, at)))
    return ImportMembers(_str(d, "set", w), _opt_int(d, "set_id", w), tuple(groups))


READERS: dict[tuple[str, str], Callable[[dict[str, Any], str], Operation]] = {
    ("create", "group_set"): _create_set,
    ("update", "group_set"): _update_set,
    ("delete", "group_set"): _delete_set,
    ("create", "group"): _create_group,
    ("update", "group"): _update_group,
    ("delete", "group"): _delete_group,
    ("set_members", "group"): _set_members,
    ("set_leader", "group"): _set_leader,
    ("import_members", "group_set"): _import_members,
}


def op_from_dict(doc: Any, where: str) -> Operation:
    """The inverse of `op.as_dict()`; extra keys (phase, labels) are ignored."""
    if not isinstance(doc, dict):
        raise PlanDocumentError(f"{where} must be an object")
    kind = (doc.get("action"), doc.get("type"))
    reader = READERS.get(kind)  # type: ignore[arg-type]
    if reader is None:
        raise PlanDocumentError(f"{where} has unknown action/type {kind[0]!r}/{kind[1]!r}")
    return reader(doc, where)
