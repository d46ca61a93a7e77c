"""pydantic ValidationError -> Problems a newcomer understands, each at its YAML node."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler.errors import Problem
from reconciler.spec.schema import MODEL_UNDER
from reconciler.spec.yamlsrc import Located, PathKey

_EXPECTED = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping (key: value lines)",
    "dict_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "float_type": "a number",
    "float_parsing": "a number",
}
_BOUNDS = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge")}
_ITEM: dict[str | None, str] = {
    "members": "member entry", "group_sets": "group set", "groups": "group",
    "members_allowed": "member role"}
_NOUN = {None: "the file", "group_sets": "this group set", "groups": "this group",
         "members": "this member entry", "leader": "this leader entry"}


def describe(value: Any) -> str:
    """A short, quoted picture of a value for messages."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest(word: str, choices: Sequence[str]) -> str:
    """' — did you mean 'x'?' or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" — did you mean {close[0]!r}?" if close else ""


def _real_path(loc: tuple[int | str, ...], data: Any) -> PathKey:
    """Drop the union-arm labels pydantic puts in `loc`, keeping real keys and indexes."""
    path: list[str | int] = []
    for part in loc:
        in_map = isinstance(data, dict) and isinstance(part, str) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_map or in_list:
            data = data[part]
            path.append(part)
    return tuple(path)


def _value_at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _parent_key(path: PathKey) -> str | None:
    return next((p for p in reversed(path) if isinstance(p, str)), None)


def _container_key(path: PathKey) -> str | None:
    """The list key whose mapping holds `path`'s last key ("groups" for a group's key)."""
    return _parent_key(path[:-1]) if path else None


def _fields(model: type[Any]) -> dict[str, Any]:
    """A model's fields by the key a spec writes (its alias, e.g. `from`)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _allowed(error: ErrorDetails, path: PathKey) -> list[str]:
    values = re.findall(r"'([^']*)'|(\d+)", str(error.get("ctx", {}).get("expected", "")))
    allowed = [a or b for a, b in values]
    model = MODEL_UNDER.get(_container_key(path))
    info = _fields(model).get(str(path[-1])) if model and path else None
    if info is not None and info.default is None:
        allowed.insert(0, "null")
    return allowed


def _message(errors: list[ErrorDetails], path: PathKey, data: Any) -> tuple[str, bool]:
    """(message, point at the key rather than the value)."""
    first = errors[0]
    kind = first["type"]
    if kind == "missing":
        key = str(first["loc"][-1])
        return f"{_NOUN.get(_parent_key(path), 'this mapping')} is missing the required " \
               f"key {key!r}", False
    value = _value_at(data, path)
    name = str(path[-1]) if path and isinstance(path[-1], str) else \
        _ITEM.get(_parent_key(path), "value")
    if kind == "extra_forbidden":
        model = MODEL_UNDER.get(_container_key(path))
        keys = list(_fields(model)) if model else []
        hint = suggest(name, keys)
        allowed = "" if hint or not model else f" (allowed: {', '.join(keys)})"
        return f"unknown key {name!r}{hint}{allowed}", True
    if kind == "literal_error":
        choices = _allowed(first, path)
        return (f"{name}: {describe(value)} is not allowed; use one of: {', '.join(choices)}"
                f"{suggest(str(value), choices)}"), False
    if path == ("course",):
        return f"course: expected a Canvas course id (like 101) or 'sis_course_id:<SIS id>', " \
               f"got {describe(value)}", False
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        bound = first.get("ctx", {}).get(key)
        return f"{name}: must be {words} {bound:g}, got {describe(value)}", False
    expected = [_EXPECTED[e["type"]] for e in errors if e["type"] in _EXPECTED]
    if expected:
        return f"{name}: expected {' or '.join(dict.fromkeys(expected))}, " \
               f"got {describe(value)}", False
    return f"{name}: {first['msg']} (got {describe(value)})", False


def problems_from(exc: ValidationError, source: Located) -> list[Problem]:
    """Group pydantic's errors by YAML node and phrase one problem per node."""
    grouped: dict[tuple[PathKey, str | None], list[ErrorDetails]] = {}
    for error in exc.errors():
        path = _real_path(error["loc"], source.data)
        missing = str(error["loc"][-1]) if error["type"] == "missing" else None
        grouped.setdefault((path, missing), []).append(error)
    out = []
    for (path, _), errors in grouped.items():
        message, at_key = _message(errors, path, source.data)
        out.append(source.problem(path, message, key=at_key))
    return out
