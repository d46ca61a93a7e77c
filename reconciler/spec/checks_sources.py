"""Semantic checks on where a set's members come from: `roster`, `members_from`, `assign`.

Like `checks`, these run on the raw document, defensively, so they report alongside
schema problems.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.spec.assign import DEFAULT_NAME, DEFAULT_TEMPLATE, PLACEHOLDER
from reconciler.spec.yamlsrc import PathKey

Add = Callable[[PathKey, str], None]
_SOURCES = ("members", "members_from")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _groups(item: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    groups = item.get("groups")
    return [(j, g) for j, g in enumerate(groups if isinstance(groups, list) else [])
            if isinstance(g, dict)]


def check_group_sources(add: Add, path: PathKey, group: dict[str, Any]) -> None:
    if all(k in group for k in _SOURCES):
        add((*path, "members_from"), "members and members_from are both given; a group's "
            "members come from one of them")


def check_set_sources(add: Add, path: PathKey, item: dict[str, Any]) -> None:
    if "assign" in item:
        if "roster" in item:
            add((*path, "roster"), "roster and assign are both given; a set's members come "
                "from one of them")
        if "groups" in item:
            add((*path, "groups"), "members and assign are both given: assign generates this "
                "set's groups and members; remove groups (or assign)")
        if isinstance(item["assign"], dict):
            _assign(add, (*path, "assign"), item["assign"], item.get("members_allowed"))
    elif "roster" in item:
        for j, group in _groups(item):
            for key in _SOURCES:
                if key in group:
                    add((*path, "groups", j, key), f"{key} is given, but this set's members "
                        "come from its roster; list the group's members in the roster file")


def _assign(add: Add, path: PathKey, cfg: dict[str, Any], allowed: Any) -> None:
    strategy = cfg.get("strategy", "random")
    size, count = _int(cfg.get("group_size")), _int(cfg.get("groups"))
    if size is not None and size < 2:
        add((*path, "group_size"), f"group_size must be at least 2, got {size}")
    if count is not None and count < 1:
        add((*path, "groups"), f"groups must be at least 1, got {count}")
    if "group_size" in cfg and "groups" in cfg:
        add((*path, "groups"), "give group_size or groups, not both")
    if strategy == "by_section":
        for key in ("group_size", "groups", "seed"):
            if key in cfg:
                add((*path, key), f"{key} does not apply to by_section, which makes one "
                    "group per section")
    elif strategy in ("random", "balanced"):
        if "group_size" not in cfg and "groups" not in cfg:
            add(path, f"assign ({strategy}) needs group_size or groups")
        if "seed" not in cfg:
            add(path, f"assign ({strategy}) needs a seed (any text; changing it reshuffles)")
    _template(add, path, cfg, strategy, count)
    _source(add, path, cfg.get("from"), allowed)


def _template(add: Add, path: PathKey, cfg: dict[str, Any], strategy: Any,
              count: int | None) -> None:
    name = cfg.get("name", DEFAULT_NAME.get(str(strategy), DEFAULT_TEMPLATE))
    if not isinstance(name, str):
        return
    where = (*path, "name")
    for field in PLACEHOLDER.findall(name):
        if field not in ("n", "section"):
            add(where, f"unknown placeholder {{{field}}} in the name; use {{n}} or {{section}}")
            return
    if strategy == "by_section" and "{section}" not in name:
        add(where, "the name needs {section}: by_section makes one group per section")
    elif strategy in ("random", "balanced") and "{n}" not in name and count != 1:
        add(where, "the name needs {n} (1, 2, ...) so that each generated group has its own "
            "name")
    elif "{section}" in name and strategy != "by_section":
        add(where, "{section} is only known with strategy by_section; use {n}")


def _source(add: Add, path: PathKey, source: Any, allowed: Any) -> None:
    if not isinstance(source, dict):
        return
    kind = source.get("enrollment_type", "student")
    roles = allowed if isinstance(allowed, list) else ["student"]
    if isinstance(kind, str) and kind not in roles:
        add((*path, "from", "enrollment_type"), f"enrollment_type {kind!r} is not in this "
            f"set's members_allowed ({', '.join(map(str, roles))})")
