"""The state both sides share: what the spec wants and what Canvas has, as one type.

Pure values, no I/O. Entities are matched on natural keys (a set's SIS id, else its name;
a group's SIS id, else its name within its set). Canvas ids ride along but are never the
only thing matched on. A field the spec does not write is left out of `managed`, and the
diff never touches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

SelfSignup = Literal["enabled", "restricted"]
AutoLeader = Literal["first", "random"]
JoinLevel = Literal["parent_context_auto_join", "parent_context_request", "invitation_only"]
MembersMode = Literal["exact", "additive", "seed", "observe"]
UnmanagedGroups = Literal["delete", "keep"]
MemberKind = Literal["login_id", "sis_user_id", "email", "canvas_id"]

# The word lists, each defined once by its Literal.
JOIN_LEVELS: tuple[JoinLevel, ...] = get_args(JoinLevel)
MEMBERS_MODES: tuple[MembersMode, ...] = get_args(MembersMode)
MEMBER_KINDS: tuple[MemberKind, ...] = get_args(MemberKind)

GROUP_SET_FIELDS: frozenset[str] = frozenset(
    {"self_signup", "auto_leader", "group_limit", "sis_id"}
)
GROUP_FIELDS: frozenset[str] = frozenset({"description", "max_membership", "join_level", "sis_id"})


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Guards(Frozen):
    """A set's removal thresholds from the spec; None = the run's value (guards.py)."""

    max_removal_pct: float | None = None
    max_delete_pct: float | None = None
    min_memberships: int | None = None
    min_groups: int | None = None


class Group(Frozen):
    """A Canvas group inside a group set.

    `members` is a set of Canvas user ids, or None when the spec does not manage members.
    `leader` is a Canvas user id; only compared when "leader" is in `managed`.
    `previous_names` (desired side): names the group may still have in Canvas.
    `has_submission` (current side): Canvas holds submissions made by this group.
    """

    name: str
    description: str | None = None
    max_membership: int | None = None
    join_level: JoinLevel | None = None
    sis_id: str | None = None
    members: frozenset[int] | None = None
    leader: int | None = None
    managed: frozenset[str] = GROUP_FIELDS
    absent: bool = False
    canvas_id: int | None = None
    previous_names: tuple[str, ...] = ()
    has_submission: bool = False


class GroupSet(Frozen):
    """A Canvas group category ("group set") and its groups.

    `protected`: Canvas's own category (a `role`): never touched at all. `protect` (desired
    side): the spec forbids deleting the set or any of its groups. `guards`: the spec's
    removal thresholds for the set."""

    name: str
    self_signup: SelfSignup | None = None
    auto_leader: AutoLeader | None = None
    group_limit: int | None = None
    sis_id: str | None = None
    groups: tuple[Group, ...] = ()
    managed: frozenset[str] = GROUP_SET_FIELDS
    absent: bool = False
    members_mode: MembersMode = "exact"
    unmanaged_groups: UnmanagedGroups = "delete"
    canvas_id: int | None = None
    protected: bool = False
    previous_names: tuple[str, ...] = ()
    protect: bool = False
    guards: Guards = Guards()


class CourseState(Frozen):
    """Every group set of one course (desired: only those the spec names)."""

    course_id: int
    group_sets: tuple[GroupSet, ...] = ()

    def set_named(self, name: str) -> GroupSet | None:
        return next((s for s in self.group_sets if s.name == name), None)


class Enrollment(Frozen):
    type: str
    state: str = "active"
    section_id: int | None = None


class User(Frozen):
    """A course user as Canvas lists it. Personal data: never logged beyond spec identifiers."""

    id: int
    name: str = ""
    login_id: str | None = None
    sis_user_id: str | None = None
    email: str | None = None
    enrollments: tuple[Enrollment, ...] = ()


class Section(Frozen):
    id: int
    name: str


class Roster(Frozen):
    """The course's users and sections, used to turn spec identifiers into Canvas user ids."""

    users: tuple[User, ...] = ()
    sections: tuple[Section, ...] = ()

    def section_ids(self) -> dict[str, int]:
        return {s.name: s.id for s in self.sections}

    def by_id(self) -> Mapping[int, User]:
        return {u.id: u for u in self.users}

    def identifier(self, user: User, kind: MemberKind) -> str | None:
        if kind == "canvas_id":
            return str(user.id)
        value: str | None = getattr(user, kind)
        return value

    def labels(self, kind: MemberKind, ids: Iterable[int] | None = None) -> dict[int, str]:
        """user id -> how a spec would name that user; `canvas:ID` when the field is hidden."""
        index = self.by_id()
        wanted = index.keys() if ids is None else ids
        out: dict[int, str] = {}
        for uid in wanted:
            user = index.get(uid)
            ident = self.identifier(user, kind) if user else None
            out[uid] = ident if ident else fallback_label(uid)
        return out


def fallback_label(uid: int) -> str:
    """How a user is named when no identifier of theirs may be shown."""
    return f"canvas:{uid}"


def user_label(uid: int, labels: Mapping[int, str]) -> str:
    """The label `labels` gives a user, else the fallback."""
    return labels.get(uid) or fallback_label(uid)
