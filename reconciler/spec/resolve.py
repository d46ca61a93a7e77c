"""Spec + roster -> desired CourseState: member identifiers become Canvas user ids.

Members come from the spec (`members`), a group's CSV (`members_from`), the set's CSV
(`roster`) or are generated (`assign`); each is reported at the file:line it came from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from reconciler.errors import Problem, SpecError
from reconciler.matching import match
from reconciler.model import (
    GROUP_FIELDS,
    GROUP_SET_FIELDS,
    CourseState,
    Group,
    GroupSet,
    Guards,
    MembersMode,
    Roster,
)
from reconciler.spec.generated import generate
from reconciler.spec.identity import STUDENT_ROLES, Directory, ineligible
from reconciler.spec.loader import Spec, in_order
from reconciler.spec.members import Sourced, entry_identity, label
from reconciler.spec.schema import ROLE_TYPES, GroupSetSpec, GroupSpec, MemberEntry
from reconciler.spec.yamlsrc import PathKey, dotted

__all__ = ["STUDENT_ROLES", "Directory", "member_labels", "resolve"]
SIGNUP_MODE: MembersMode = "seed"


@dataclass
class _Resolver:
    spec: Spec
    directory: Directory
    roles: Collection[str]
    problems: list[Problem] = field(default_factory=list)

    def sourced(self, path: PathKey, entry: MemberEntry) -> Sourced | None:
        identity = entry_identity(entry, self.spec.members_by)
        if identity is None:
            return None
        line, column = self.spec.where(path) or (None, None)
        return Sourced(identity, self.spec.filename, line, column, dotted(path) or None)

    def user(self, src: Sourced, roles: Collection[str]) -> int | None:
        shown = label(src.identity, self.spec.members_by)
        users = self.directory.find(src.identity)
        if not users:
            message: str | None = self.directory.unknown(src.identity, shown)
        elif len(users) > 1:
            message = (f"member {shown} matches {len(users)} users in the course; name them "
                       "by login_id or sis_user_id instead")
        else:
            reason = ineligible(users[0], roles)
            message = f"member {shown} {reason}" if reason else None
        if message:
            self.problems.append(src.problem(message))
            return None
        return users[0].id

    def members(self, sources: Iterable[Sourced], seen: dict[int, Sourced],
                roles: Collection[str]) -> Iterator[int]:
        for src in sources:
            uid = self.user(src, roles)
            if uid is None:
                continue
            if uid in seen:
                shown = label(src.identity, self.spec.members_by)
                self.problems.append(src.problem(
                    f"member {shown} is the same Canvas user as the member on "
                    f"{seen[uid].place(src.file)}; a user can be in only one group per set"))
                continue
            seen[uid] = src
            yield uid

    def yaml_members(self, path: PathKey, spec: GroupSpec) -> list[Sourced]:
        found = (self.sourced((*path, "members", k), e) for k, e in enumerate(spec.members or []))
        return [s for s in found if s is not None]

    def group(self, path: PathKey, spec: GroupSpec, sources: list[Sourced] | None,
              seen: dict[int, Sourced], roles: Collection[str]) -> Group:
        managed = frozenset(GROUP_FIELDS & spec.model_fields_set)
        previous = tuple(spec.previous_names)
        if spec.state == "absent":
            return Group(name=spec.name, sis_id=spec.sis_id, absent=True, managed=managed,
                         previous_names=previous)
        members = None if sources is None else frozenset(self.members(sources, seen, roles))
        leader = self.leader(path, spec, members, roles)
        if "leader" in spec.model_fields_set:
            managed |= {"leader"}
        return Group(name=spec.name, description=spec.description,
                     max_membership=spec.max_membership, join_level=spec.join_level,
                     sis_id=spec.sis_id, members=members, leader=leader, managed=managed,
                     previous_names=previous)

    def leader(self, path: PathKey, spec: GroupSpec, members: frozenset[int] | None,
               roles: Collection[str]) -> int | None:
        src = None if spec.leader is None else self.sourced((*path, "leader"), spec.leader)
        if src is None:
            return None
        uid = self.user(src, roles)
        if uid is not None and members is not None and uid not in members:
            self.problems.append(src.problem(
                "the leader is not among this group's members; Canvas only lets a member lead"))
        return uid

    def sources(self, path: PathKey, spec: GroupSpec, rows: Mapping[str, list[Sourced]] | None) \
            -> list[Sourced] | None:
        if rows is not None:
            return rows.get(spec.name, [])
        if spec.members_from is not None:
            return list(self.spec.files.members.get(path, ()))
        return None if spec.members is None else self.yaml_members(path, spec)

    def groups(self, path: PathKey, spec: GroupSetSpec, roles: Collection[str]) \
            -> tuple[Group, ...]:
        rows = self.roster_rows(path) if spec.roster is not None else None
        seen: dict[int, Sourced] = {}
        listed = [self.group((*path, "groups", j), g,
                             self.sources((*path, "groups", j), g, rows), seen, roles)
                  for j, g in enumerate(spec.groups)]
        names = {g.name for g in spec.groups}
        extra = [Group(name=name, members=frozenset(self.members(srcs, seen, roles)),
                       managed=frozenset())
                 for name, srcs in (rows or {}).items() if name not in names]
        return (*listed, *extra)

    def roster_rows(self, path: PathKey) -> dict[str, list[Sourced]]:
        out: dict[str, list[Sourced]] = {}
        for row in self.spec.files.rosters.get(path, ()):
            out.setdefault(row.group, []).append(row.member)
        return out


def _roles(spec: GroupSetSpec, default: Collection[str]) -> Collection[str]:
    if "members_allowed" not in spec.model_fields_set:
        return default
    return tuple(dict.fromkeys(ROLE_TYPES[r] for r in spec.members_allowed))


def _mode(spec: GroupSetSpec) -> MembersMode:
    """`seed` is the default for self sign-up sets: students' own choices are kept."""
    if "members_mode" not in spec.model_fields_set and spec.self_signup is not None:
        return SIGNUP_MODE
    return spec.members_mode


@dataclass
class _SetResolver:
    resolver: _Resolver
    roster: Roster
    current: Mapping[int, GroupSet]  # spec set index -> the Canvas set it owns
    sections: Mapping[str, int] | None

    def group_set(self, i: int, spec: GroupSetSpec, roles: Collection[str]) -> GroupSet:
        path: PathKey = ("group_sets", i)
        keys = spec.model_fields_set
        managed = frozenset(GROUP_SET_FIELDS & keys)
        previous = tuple(spec.previous_names)
        if spec.state == "absent":
            return GroupSet(name=spec.name, sis_id=spec.sis_id, absent=True, managed=managed,
                            previous_names=previous)
        if spec.assign is not None:
            groups = self.generated(path, spec, self.current.get(i))
        else:
            groups = self.resolver.groups(path, spec, _roles(spec, roles))
        # A set that does not write `groups:` (nor a roster or assign) does not own its groups.
        owns = keys & {"groups", "unmanaged_groups", "roster", "assign"}
        return GroupSet(name=spec.name, self_signup=spec.self_signup,
                        auto_leader=spec.auto_leader, group_limit=spec.group_limit,
                        sis_id=spec.sis_id, groups=groups, managed=managed,
                        members_mode=_mode(spec),
                        unmanaged_groups=spec.unmanaged_groups if owns else "keep",
                        previous_names=previous, protect=spec.protect,
                        guards=Guards(**spec.guards.model_dump()) if spec.guards else Guards())

    def generated(self, path: PathKey, spec: GroupSetSpec,
                  now: GroupSet | None) -> tuple[Group, ...]:
        assert spec.assign is not None
        result, problems = generate(spec.assign, (*path, "assign"), self.roster,
                                    current=now, sections=self.sections)
        spec_file = self.resolver.spec
        self.resolver.problems.extend(spec_file.problem(p, m) for p, m in problems)
        return tuple(Group(name=name, description=result.description, members=members,
                           managed=frozenset({"description"}))
                     for name, members in result.groups.items())


def _owned(spec: Spec, course_id: int, current: CourseState | None) -> dict[int, GroupSet]:
    """Spec set index -> the current set it matches, by the rule the diff uses."""
    if current is None:
        return {}
    keys = [GroupSet(name=s.name, sis_id=s.sis_id, absent=s.state == "absent",
                     previous_names=tuple(s.previous_names)) for s in spec.document.group_sets]
    pairs = match(keys, current.group_sets, f"course {course_id}", "group set")
    return {i: have for i, (_, have) in enumerate(pairs) if have is not None}


def resolve(spec: Spec, roster: Roster, course_id: int, *,
            current: CourseState | None = None, sections: Mapping[str, int] | None = None,
            roles: Collection[str] = STUDENT_ROLES) -> CourseState:
    """The desired state; every unresolvable member at once as one SpecError.

    `roles` are the enrollment types allowed to be members of a set that does not write
    `members_allowed` (the test student only when a set lists test_student). `current`
    (Canvas now) keeps generated placements sticky; `sections` (section name -> id)
    enables `assign` section features.
    """
    resolver = _Resolver(spec, Directory(roster), roles)
    sets = _SetResolver(resolver, roster, _owned(spec, course_id, current), sections)
    resolved = tuple(sets.group_set(i, s, roles) for i, s in enumerate(spec.document.group_sets))
    if resolver.problems:
        raise SpecError(in_order(resolver.problems, spec.filename))
    return CourseState(course_id=course_id, group_sets=resolved)


def _written(spec: Spec) -> Iterator[Sourced]:
    resolver = _Resolver(spec, Directory(Roster()), STUDENT_ROLES)
    for i, group_set in enumerate(spec.document.group_sets):
        for j, group in enumerate(group_set.groups):
            path: PathKey = ("group_sets", i, "groups", j)
            yield from resolver.yaml_members(path, group)
            if group.leader is not None and (src := resolver.sourced((*path, "leader"),
                                                                     group.leader)):
                yield src
    for entries in spec.files.members.values():
        yield from entries
    for rows in spec.files.rosters.values():
        yield from (row.member for row in rows)


def member_labels(spec: Spec, roster: Roster) -> dict[int, str]:
    """Canvas user id -> the identifier the spec used for that user (for plan display)."""
    directory = Directory(roster)
    out: dict[int, str] = {}
    for src in _written(spec):
        users = directory.find(src.identity)
        if len(users) == 1:
            out.setdefault(users[0].id, src.identity[1])
    return out
