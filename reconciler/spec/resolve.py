"""Spec + roster -> desired CourseState: member identifiers become Canvas user ids.

Messages name people only by the identifier the spec already used (plus, for a typo, the
closest identifier of the same kind in the roster); never by name or another field.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from reconciler.errors import Problem, SpecError
from reconciler.model import (
    GROUP_FIELDS,
    GROUP_SET_FIELDS,
    CourseState,
    Group,
    GroupSet,
    Roster,
    User,
)
from reconciler.spec.loader import Spec
from reconciler.spec.members import Identity, entry_identity, label, normalize
from reconciler.spec.schema import MEMBER_KINDS, GroupSetSpec, GroupSpec, MemberEntry
from reconciler.spec.yamlsrc import PathKey

STUDENT_ROLES: tuple[str, ...] = ("StudentEnrollment",)
TEST_STUDENT = "StudentViewEnrollment"


class Directory:
    """The roster indexed by every identifier kind (logins and emails case-folded)."""

    def __init__(self, roster: Roster) -> None:
        self.index: dict[Identity, list[User]] = {}
        self.known: dict[str, list[str]] = {}
        for user in roster.users:
            for kind in MEMBER_KINDS:
                value = roster.identifier(user, kind)
                if value:
                    self.index.setdefault(normalize((kind, value)), []).append(user)
                    self.known.setdefault(kind, []).append(value)

    def find(self, identity: Identity) -> list[User]:
        return self.index.get(normalize(identity), [])

    def unknown(self, identity: Identity, shown: str) -> str:
        kind, value = identity
        hint = ""
        if kind != "canvas_id":
            close = difflib.get_close_matches(value, self.known.get(kind, []), n=1, cutoff=0.6)
            hint = f" — did you mean {close[0]!r}?" if close else ""
        return f"no user in the course has {kind} {value!r} (member {shown}){hint}"


def ineligible(user: User, roles: Collection[str]) -> str | None:
    """Why this user cannot be a member, or None when they can."""
    real = [e for e in user.enrollments if e.type != TEST_STUDENT]
    if user.enrollments and not real:
        return "is the course's test student (Student View) and cannot be a group member"
    allowed = [e for e in real if e.type in roles]
    if any(e.state == "active" for e in allowed):
        return None
    states = sorted({e.state for e in allowed})
    if states == ["invited"]:
        return "has only been invited to the course and has not accepted yet"
    if states:
        return f"has no active enrollment (enrollment is {' / '.join(states)})"
    if real:
        types = ", ".join(sorted({e.type for e in real}))
        return f"is not a student here (enrolled as {types}); only {', '.join(roles)} " \
               "users can be members"
    return "has no enrollment in this course"


@dataclass
class _Resolver:
    spec: Spec
    directory: Directory
    roles: Collection[str]
    problems: list[Problem] = field(default_factory=list)

    def user(self, path: PathKey, entry: MemberEntry) -> int | None:
        identity = entry_identity(entry, self.spec.members_by)
        if identity is None:
            return None
        shown = label(identity, self.spec.members_by)
        users = self.directory.find(identity)
        if not users:
            message: str | None = self.directory.unknown(identity, shown)
        elif len(users) > 1:
            message = (f"member {shown} matches {len(users)} users in the course; name them "
                       "by login_id or sis_user_id instead")
        else:
            reason = ineligible(users[0], self.roles)
            message = f"member {shown} {reason}" if reason else None
        if message:
            self.problems.append(self.spec.problem(path, message))
            return None
        return users[0].id

    def group(self, path: PathKey, spec: GroupSpec, seen: dict[int, PathKey]) -> Group:
        managed = frozenset(GROUP_FIELDS & spec.model_fields_set)
        if spec.state == "absent":
            return Group(name=spec.name, sis_id=spec.sis_id, absent=True, managed=managed)
        members = None if spec.members is None else frozenset(self.members(path, spec, seen))
        leader = self.leader(path, spec, members)
        if "leader" in spec.model_fields_set:
            managed |= {"leader"}
        return Group(name=spec.name, description=spec.description,
                     max_membership=spec.max_membership, join_level=spec.join_level,
                     sis_id=spec.sis_id, members=members, leader=leader, managed=managed)

    def members(self, path: PathKey, spec: GroupSpec, seen: dict[int, PathKey]) -> Iterator[int]:
        for k, entry in enumerate(spec.members or []):
            mpath = (*path, "members", k)
            uid = self.user(mpath, entry)
            if uid is None:
                continue
            if uid in seen:
                self.twice(mpath, entry, seen[uid])
                continue
            seen[uid] = mpath
            yield uid

    def twice(self, path: PathKey, entry: MemberEntry, first: PathKey) -> None:
        identity = entry_identity(entry, self.spec.members_by)
        shown = label(identity, self.spec.members_by) if identity else "?"
        where = self.spec.where(first)
        self.problems.append(self.spec.problem(path, (
            f"member {shown} is the same Canvas user as the member on line "
            f"{where[0] if where else '?'}; a user can be in only one group per set")))

    def leader(self, path: PathKey, spec: GroupSpec, members: frozenset[int] | None) -> int | None:
        if spec.leader is None:
            return None
        uid = self.user((*path, "leader"), spec.leader)
        if uid is not None and members is not None and uid not in members:
            self.problems.append(self.spec.problem((*path, "leader"), (
                "the leader is not among this group's members; Canvas only lets a member lead")))
        return uid

    def group_set(self, i: int, spec: GroupSetSpec) -> GroupSet:
        path: PathKey = ("group_sets", i)
        keys = spec.model_fields_set
        managed = frozenset(GROUP_SET_FIELDS & keys)
        if spec.state == "absent":
            return GroupSet(name=spec.name, sis_id=spec.sis_id, absent=True, managed=managed)
        seen: dict[int, PathKey] = {}
        groups = tuple(self.group((*path, "groups", j), g, seen) for j, g in enumerate(spec.groups))
        # A set that does not write `groups:` does not own its groups.
        keep = "groups" not in keys and "unmanaged_groups" not in keys
        return GroupSet(name=spec.name, self_signup=spec.self_signup,
                        auto_leader=spec.auto_leader, group_limit=spec.group_limit,
                        sis_id=spec.sis_id, groups=groups, managed=managed,
                        members_mode=spec.members_mode,
                        unmanaged_groups="keep" if keep else spec.unmanaged_groups)


def resolve(spec: Spec, roster: Roster, course_id: int, *,
            roles: Collection[str] = STUDENT_ROLES) -> CourseState:
    """The desired state; every unresolvable member at once as one SpecError.

    `roles` are the enrollment types allowed to be members (the test student never is).
    """
    resolver = _Resolver(spec, Directory(roster), roles)
    sets = tuple(resolver.group_set(i, s) for i, s in enumerate(spec.document.group_sets))
    if resolver.problems:
        raise SpecError(sorted(resolver.problems, key=lambda p: (p.line or 0, p.column or 0)))
    return CourseState(course_id=course_id, group_sets=sets)


def member_labels(spec: Spec, roster: Roster) -> dict[int, str]:
    """Canvas user id -> the identifier the spec used for that user (for plan display)."""
    directory = Directory(roster)
    out: dict[int, str] = {}
    for group_set in spec.document.group_sets:
        for group in group_set.groups:
            entries = [*(group.members or []), *([group.leader] if group.leader else [])]
            for entry in entries:
                identity = entry_identity(entry, spec.members_by)
                users = directory.find(identity) if identity else []
                if identity and len(users) == 1:
                    out.setdefault(users[0].id, identity[1])
    return out
