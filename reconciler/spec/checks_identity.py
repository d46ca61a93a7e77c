"""Semantic checks on identity over time: `previous_names` and `protect`.

Like `checks`, these run on the raw document, defensively, so they report alongside
schema problems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reconciler.spec.yamlsrc import PathKey

Add = Callable[[PathKey, str], None]
Where = Callable[[PathKey], str]  # "line 12" in a file, the field path in data
Entries = Sequence[tuple[PathKey, dict[str, Any]]]


def check_previous_names(add: Add, where_is: Where, entries: Entries, what: str) -> None:
    """Each previous name names one object only: not the entry itself, not another entry
    of the spec (it would match that one), not a previous name of another entry."""
    names = {item["name"]: path for path, item in entries if isinstance(item.get("name"), str)}
    claims: dict[str, PathKey] = {}
    for path, item in entries:
        previous = item.get("previous_names")
        for k, old in enumerate(previous if isinstance(previous, list) else []):
            where = (*path, "previous_names", k)
            if not isinstance(old, str):
                continue
            if not old.strip():
                add(where, "a previous name is empty")
            elif old == item.get("name"):
                add(where, f"{old!r} is this {what}'s own name; list only names it had before")
            elif old in names:
                add(where, f"previous name {old!r} is the name of another {what} in the spec "
                    f"({where_is(names[old])}); one Canvas {what} cannot become both")
            elif old in claims:
                add(where, f"previous name {old!r} is also a previous name of the {what} on "
                    f"{where_is(claims[old])}")
            else:
                claims[old] = path


def check_protect(add: Add, path: PathKey, item: dict[str, Any]) -> None:
    """A protected set is never deleted, nor any of its groups: `state: absent` on it or on
    one of its groups contradicts `protect: true`."""
    if item.get("protect") is not True:
        return
    if item.get("state") == "absent":
        add((*path, "state"), "state: absent on a set with protect: true; a protected set is "
            "never deleted (remove protect to delete it)")
    groups = item.get("groups")
    for j, group in enumerate(groups if isinstance(groups, list) else []):
        if isinstance(group, dict) and group.get("state") == "absent":
            add((*path, "groups", j, "state"), "state: absent on a group of a set with "
                "protect: true; groups of a protected set are never deleted (remove protect "
                "from the set to delete it)")
