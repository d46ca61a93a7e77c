"""Semantic checks on the raw document: rules a schema cannot express.

They run on the plain data (not the validated models), defensively, so that a file with
both a typo'd key and a duplicate member reports both at once.
"""

from __future__ import annotations

import re
from typing import Any, cast

from reconciler.errors import Problem
from reconciler.model import MEMBER_KINDS, MemberKind
from reconciler.spec.checks_identity import check_previous_names, check_protect
from reconciler.spec.checks_sources import check_group_sources, check_set_sources
from reconciler.spec.members import Identity, entry_identity, label, normalize
from reconciler.spec.schema import MAX_NAME, RESERVED_SET_NAMES
from reconciler.spec.translate import describe
from reconciler.spec.yamlsrc import Located, PathKey, dotted

_COURSE_REF = re.compile(r"^sis_course_id:\S.*$|^\d+$")


def _maps(value: Any) -> list[tuple[int, dict[str, Any]]]:
    items = value if isinstance(value, list) else []
    return [(i, v) for i, v in enumerate(items) if isinstance(v, dict)]


def _absent(item: dict[str, Any]) -> bool:
    return item.get("state") == "absent"


class _Checker:
    def __init__(self, source: Located) -> None:
        self.src = source
        self.problems: list[Problem] = []
        self.sis_seen: dict[str, dict[str, PathKey]] = {}
        root = source.data if isinstance(source.data, dict) else {}
        by = root.get("members_by", "login_id")
        self.members_by = cast(MemberKind, by if by in MEMBER_KINDS else "login_id")

    def add(self, path: PathKey, message: str, *, key: bool = False) -> None:
        self.problems.append(self.src.problem(path, message, key=key))

    def first_at(self, path: PathKey) -> str:
        """Where an earlier entry is: `line 12` in a file, its field path in Python data."""
        loc = self.src.where(path)
        return f"line {loc[0]}" if loc else dotted(path)

    def run(self) -> list[Problem]:
        root = self.src.data
        if not isinstance(root, dict):
            return self.problems
        self.course(root.get("course"))
        seen: dict[str, PathKey] = {}
        sets = [(("group_sets", i), item) for i, item in _maps(root.get("group_sets"))]
        for path, group_set in sets:
            self.group_set(path, group_set, seen)
        check_previous_names(self.add, self.first_at, sets, "group set")
        return self.problems

    def course(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | str):
            return
        if isinstance(value, int) and value <= 0:
            self.add(("course",), f"course: a Canvas course id is a positive number, got {value}")
        if isinstance(value, str) and not _COURSE_REF.match(value):
            self.add(("course",), f"course: expected a Canvas course id (like 101) or "
                     f"'sis_course_id:<SIS id>', got {describe(value)}")

    def name(self, path: PathKey, value: Any, what: str) -> bool:
        """Check a name; True when it is usable as a key for duplicate detection."""
        if not isinstance(value, str):
            return False
        if not value.strip():
            self.add(path, f"the {what} name is empty; Canvas requires a name")
            return False
        if len(value) > MAX_NAME:
            self.add(path, f"the {what} name is {len(value)} characters long; Canvas allows "
                     f"at most {MAX_NAME} ({describe(value)})")
        return True

    def unique(self, path: PathKey, key: str, seen: dict[str, PathKey], what: str) -> None:
        """`what` reads like "group name {key} is used twice in this set"."""
        if key in seen:
            self.add(path, what.format(repr(key)) + f" (first on {self.first_at(seen[key])})")
        else:
            seen[key] = path

    def limit(self, path: PathKey, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and value <= 1:
            self.add(path, f"{path[-1]} must be greater than 1 (a Canvas rule), got {value}")

    def sis(self, path: PathKey, value: Any, what: str) -> None:
        if isinstance(value, str):
            if not value.strip():
                self.add(path, "sis_id is empty; write null or leave the key out")
                return
            # Unique per root account, separately for sets and for groups.
            self.unique(path, value, self.sis_seen.setdefault(what, {}),
                        f"{what} sis_id {{}} is used twice; SIS ids are unique per Canvas account")

    def group_set(self, path: PathKey, item: dict[str, Any], seen: dict[str, PathKey]) -> None:
        name = item.get("name")
        if self.name((*path, "name"), name, "group set"):
            assert isinstance(name, str)
            if name in RESERVED_SET_NAMES:
                self.add((*path, "name"), f"{name!r} is a name Canvas reserves for its own "
                         "group sets; choose another name")
            self.unique((*path, "name"), name, seen, "group set name {} is used twice")
        self.limit((*path, "group_limit"), item.get("group_limit"))
        self.sis((*path, "sis_id"), item.get("sis_id"), "group set")
        check_set_sources(self.add, path, item)
        check_protect(self.add, path, item)
        names: dict[str, PathKey] = {}
        members: dict[Identity, PathKey] = {}
        groups = [((*path, "groups", j), group) for j, group in _maps(item.get("groups"))]
        for gpath, group in groups:
            self.group(gpath, group, names)
            if not _absent(item) and not _absent(group):
                self.group_members(gpath, group, members)
        check_previous_names(self.add, self.first_at, groups, "group")

    def group(self, path: PathKey, item: dict[str, Any], names: dict[str, PathKey]) -> None:
        name = item.get("name")
        if self.name((*path, "name"), name, "group"):
            assert isinstance(name, str)
            self.unique((*path, "name"), name, names, "group name {} is used twice in this set")
        self.limit((*path, "max_membership"), item.get("max_membership"))
        self.sis((*path, "sis_id"), item.get("sis_id"), "group")
        check_group_sources(self.add, path, item)
        if "join_level" in item and item["join_level"] is None:
            self.add((*path, "join_level"), "join_level cannot be null: Canvas always keeps "
                     "one (invitation_only by default); write a level or leave the key out")
        if "members" in item and item["members"] is None:
            self.add((*path, "members"), "members is null: write [] for a group with no "
                     "members, or leave the key out to leave its members unmanaged")

    def identity(self, path: PathKey, entry: Any) -> Identity | None:
        if isinstance(entry, dict) and len(entry) != 1:
            self.add(path, f"a member entry needs exactly one of {', '.join(MEMBER_KINDS)}; "
                     f"got {len(entry)} keys")
            return None
        identity = entry_identity(entry, self.members_by)
        if identity is None:
            return None
        kind, value = identity
        if not value.strip():
            self.add(path, f"empty {kind} in a member entry")
            return None
        if kind == "canvas_id" and not value.strip().isdigit():
            self.add(path, f"canvas_id must be a Canvas user id (a number), got {value!r}")
            return None
        return normalize(identity)

    def group_members(self, path: PathKey, item: dict[str, Any],
                      in_set: dict[Identity, PathKey]) -> None:
        entries = item.get("members")
        mine: set[Identity] = set()
        for k, entry in enumerate(entries if isinstance(entries, list) else []):
            identity = self.identity((*path, "members", k), entry)
            if identity is not None:
                self.member((*path, "members", k), identity, in_set)
                mine.add(identity)
        if "leader" in item and item["leader"] is not None:
            leader = self.identity((*path, "leader"), item["leader"])
            # Conclusive only when every entry uses the leader's kind; else resolve decides.
            same_kind = all(kind == leader[0] for kind, _ in mine) if leader else False
            if leader is not None and isinstance(entries, list) and same_kind \
                    and leader not in mine:
                self.add((*path, "leader"), f"the leader {label(leader, self.members_by)} is "
                         "not among this group's members; Canvas only lets a member lead")

    def member(self, path: PathKey, identity: Identity, in_set: dict[Identity, PathKey]) -> None:
        first = in_set.get(identity)
        if first is None:
            in_set[identity] = path
            return
        who = label(identity, self.members_by)
        if first[:-2] == path[:-2]:
            self.add(path, f"member {who} is listed twice in this group (first as entry "
                     f"{int(first[-1]) + 1} on {self.first_at(first)})")
        else:
            self.add(path, f"member {who} is in two groups of this set: "
                     f"{self._group_name(first)} ({self.first_at(first)}) and "
                     f"{self._group_name(path)}; Canvas allows one group per set")

    def _group_name(self, member_path: PathKey) -> str:
        group = self.src.data
        for part in member_path[:-2]:
            group = group[part]
        return repr(group.get("name")) if isinstance(group, dict) else "?"


def check(source: Located) -> list[Problem]:
    """Every semantic problem in the document, in file order."""
    problems = _Checker(source).run()
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
