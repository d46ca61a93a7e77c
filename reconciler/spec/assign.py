"""Generated groups (`assign:`): deterministic, seeded, and sticky.

Pure functions. Order comes from sha256(seed, user id) — never Python's `hash` or a global
random generator — so the same roster and seed give the same groups on any machine. When
the set's groups as Canvas has them now are given (and were made with the same seed),
students already placed stay put, students no longer eligible leave, and newcomers go to
the smallest groups; only a new seed reshuffles everyone.

The seed a set was generated with is recorded in its groups' description as
`reconciler:assign seed=<first 12 hex digits of sha256(seed)>` (see `seed_marker`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection, Mapping

from reconciler.spec.schema import AssignSpec

MARKER_PREFIX = "reconciler:assign seed="
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
DEFAULT_NAME = {"by_section": "{section}"}
DEFAULT_TEMPLATE = "Group {n}"


def seed_marker(seed: str) -> str:
    """The description generated groups carry, naming (a digest of) their seed."""
    return MARKER_PREFIX + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:12]


def carries_marker(description: str | None, seed: str) -> bool:
    return description is not None and seed_marker(seed) in description


def template(cfg: AssignSpec) -> str:
    return cfg.name if cfg.name is not None else DEFAULT_NAME.get(cfg.strategy, DEFAULT_TEMPLATE)


def render_name(text: str, *, n: int | None = None, section: str | None = None) -> str:
    values = {"n": "" if n is None else str(n), "section": section or ""}
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def rank(seed: str, user_id: int) -> tuple[str, int]:
    digest = hashlib.sha256(f"{seed}\x00{user_id}".encode()).hexdigest()
    return (digest, user_id)


def group_count(cfg: AssignSpec, eligible: int) -> int:
    if cfg.groups is not None:
        return cfg.groups
    size = cfg.group_size or 1
    return math.ceil(eligible / size)


def _order(cfg: AssignSpec, users: Collection[int], section_of: Mapping[int, str]) -> list[int]:
    """Seeded order; `balanced` lists section by section so dealing spreads each evenly."""
    seed = cfg.seed or ""
    ordered = sorted(users, key=lambda u: rank(seed, u))
    if cfg.strategy != "balanced":
        return ordered
    return sorted(ordered, key=lambda u: (u not in section_of, section_of.get(u, "")))


def _by_section(cfg: AssignSpec, users: Collection[int],
                section_of: Mapping[int, str]) -> dict[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for section in sorted({section_of[u] for u in users if u in section_of}):
        out[render_name(template(cfg), section=section)] = set()
        for uid in users:
            if section_of.get(uid) == section:
                out[render_name(template(cfg), section=section)].add(uid)
    return {name: frozenset(members) for name, members in out.items()}


def assign_members(
    cfg: AssignSpec,
    eligible_user_ids: Collection[int],
    current_groups: Mapping[str, frozenset[int]] | None = None,
    *,
    section_of: Mapping[int, str] | None = None,
) -> dict[str, frozenset[int]]:
    """Group name -> members. `current_groups` (name -> members, same seed) keeps placements.

    `section_of` maps user id -> section name (needed by `balanced` and `by_section`).
    """
    sections = section_of or {}
    users = set(eligible_user_ids)
    if cfg.strategy == "by_section":
        return _by_section(cfg, users, sections)
    names = [render_name(template(cfg), n=i + 1) for i in range(group_count(cfg, len(users)))]
    if not names:
        return {}
    groups: dict[str, set[int]] = {name: set() for name in names}
    placed: set[int] = set()
    for name in names:
        stay = (current_groups or {}).get(name, frozenset()) & users - placed
        groups[name] |= stay
        placed |= stay
    newcomers = _order(cfg, users - placed, sections)
    if current_groups is None:
        for i, uid in enumerate(newcomers):  # a fresh deal: round-robin
            groups[names[i % len(names)]].add(uid)
    else:
        for uid in newcomers:  # the smallest group first, ties in group order
            smallest = min(range(len(names)), key=lambda i: (len(groups[names[i]]), i))
            groups[names[smallest]].add(uid)
    return {name: frozenset(members) for name, members in groups.items()}
