"""Matching spec entries to Canvas objects by natural key: the one rule, used everywhere.

By SIS id first, then by name among the current objects no SIS id claimed. An absent entry
with an SIS id matches only by SIS id: a deletion never falls back to guessing by name.
Canvas allows two groups of one set to share a name (Q-SET-NAMES, docs/canvas-quirks.md), so
a name that matches twice is an error, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from reconciler.errors import StateError
from reconciler.model import Group, GroupSet

Entity = TypeVar("Entity", GroupSet, Group)
Pair = tuple[Entity, Entity | None]


def match(wanted: Sequence[Entity], have: Sequence[Entity], owner: str,
          noun: str) -> list[Pair[Entity]]:
    """Each wanted entity with the current one it owns (or None), in `wanted` order.

    StateError when a name matches two current entities, or two wanted entries match one.
    `owner` and `noun` name them in messages ("course 101", "group set")."""
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
