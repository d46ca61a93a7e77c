"""A set with `assign:` -> its generated groups, against the roster and Canvas's groups now.

Eligible: users with an active enrollment of `from.enrollment_type` (in `from.section`
when given); the test student never. Placements stay sticky when the set's current groups
carry the marker of the same seed (see `assign.seed_marker`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.model import GroupSet, Roster
from reconciler.spec.assign import assign_members, carries_marker, seed_marker
from reconciler.spec.identity import TEST_STUDENT
from reconciler.spec.schema import ROLE_TYPES, AssignSpec
from reconciler.spec.yamlsrc import PathKey

Problems = list[tuple[PathKey, str]]


@dataclass(frozen=True)
class Generated:
    description: str
    groups: dict[str, frozenset[int]]


def _section_id(cfg: AssignSpec, path: PathKey, sections: Mapping[str, int] | None,
                problems: Problems) -> int | None:
    name = cfg.from_.section
    if name is None:
        return None
    where = (*path, "from", "section")
    if sections is None:
        problems.append((where, f"section {name!r} cannot be used: the course's sections "
                         "were not provided"))
    elif name not in sections:
        known = ", ".join(sorted(sections)) or "none"
        problems.append((where, f"no section named {name!r} in the course (sections: {known})"))
    else:
        return sections[name]
    return None


def eligible(roster: Roster, cfg: AssignSpec, section_id: int | None) -> dict[int, int | None]:
    """user id -> section id, for every user `from` selects."""
    wanted = ROLE_TYPES[cfg.from_.enrollment_type]
    out: dict[int, int | None] = {}
    for user in roster.users:
        if any(e.type == TEST_STUDENT for e in user.enrollments):
            continue
        for e in user.enrollments:
            if e.type == wanted and e.state == "active" \
                    and (section_id is None or e.section_id == section_id):
                out[user.id] = e.section_id
                break
    return out


def _current(current: GroupSet | None, seed: str) -> dict[str, frozenset[int]] | None:
    """The set's groups now that were generated with this seed; None when there are none."""
    made = {g.name: g.members or frozenset() for g in (current.groups if current else ())
            if carries_marker(g.description, seed)}
    return made or None


def generate(cfg: AssignSpec, path: PathKey, roster: Roster, *, current: GroupSet | None,
             sections: Mapping[str, int] | None) -> tuple[Generated, Problems]:
    problems: Problems = []
    section_id = _section_id(cfg, path, sections, problems)
    if cfg.strategy == "by_section" and sections is None:
        problems.append(((*path, "strategy"), "by_section needs the course's sections, "
                         "which were not provided"))
    names = {sid: name for name, sid in (sections or {}).items()}
    users = eligible(roster, cfg, section_id)
    section_of = {uid: names[sid] for uid, sid in users.items() if sid in names}
    seed = cfg.seed or ""
    groups = assign_members(cfg, users, _current(current, seed), section_of=section_of)
    return Generated(seed_marker(seed), groups), problems
