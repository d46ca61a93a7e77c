"""The emulator's store: tables of rows, id counters, a lock, a clock, the write log and
the CSV import job's knobs (`import_config`).

Domain rules live in `rules.py` and `validation.py`; this module only stores, looks up and
offers direct helpers (tests seed and inspect through them, bypassing HTTP). Every public
method takes the re-entrant lock, and the server holds it for a whole request, so each API
call is atomic.

Memberships are indexed by group id and by user id, enrollments by course id and by user
id, groups by category id (row ids, ascending). Rows are never removed and the columns
indexed on never change, so the indexes only grow: inserts go through `add_membership`,
`enroll` and `create_group`, and `reindex()` rebuilds them from the tables
(persist.state_from_dict calls it). They list every row, deleted ones too, and the state
filters (`active`, enrollment `state`) are applied on read, so code that flips a row's state
directly (rules.remove_membership, the drift benchmarks) needs no index upkeep. The indexes
are derived and never persisted. Without them a roster page of a 500-student course among
50,000 users took 200 ms, every user's enrollments being a scan of the whole table
(benchmarks/bench_many.py).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.sandbox.clock import Clock, SystemClock, iso
from reconciler.sandbox.entities import (
    ENROLLMENT_TYPES,
    Course,
    Enrollment,
    Group,
    GroupCategory,
    ImportJob,
    Membership,
    Progress,
    Section,
    User,
    WriteEvent,
)
from reconciler.sandbox.import_config import ImportConfig

# Counters start at distinct values so ids of different kinds are easy to tell apart.
COUNTER_STARTS: dict[str, int] = {
    "course": 101,
    "section": 11,
    "user": 1001,
    "enrollment": 5001,
    "category": 501,
    "group": 601,
    "membership": 9001,
    "progress": 7001,
    "error_report": 1,
}


@dataclass
class Tables:
    courses: dict[int, Course] = field(default_factory=dict)
    sections: dict[int, Section] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    enrollments: dict[int, Enrollment] = field(default_factory=dict)
    categories: dict[int, GroupCategory] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    memberships: dict[int, Membership] = field(default_factory=dict)
    progress: dict[int, Progress] = field(default_factory=dict)
    import_jobs: dict[int, ImportJob] = field(default_factory=dict)  # pending ones only


class EmulatorState:
    """All of the emulated Canvas: one root account, its courses, users and groups."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock: Clock = clock or SystemClock()
        self.t = Tables()
        self._by_group: dict[int, list[int]] = {}  # group id -> membership ids
        self._by_user: dict[int, list[int]] = {}  # user id -> membership ids
        self._enrollments_by_course: dict[int, list[int]] = {}  # course id -> enrollment ids
        self._enrollments_by_user: dict[int, list[int]] = {}  # user id -> enrollment ids
        self._groups_by_category: dict[int, list[int]] = {}  # category id -> group ids
        self.counters: dict[str, int] = dict(COUNTER_STARTS)
        self.write_log: list[WriteEvent] = []
        # Tokens of particular users (token -> user id), beside the server's own token, whose
        # caller is a teacher who sees everything and belongs to no course.
        self.user_tokens: dict[str, int] = {}
        # 403 with Canvas's `api_auth_error_updates` flag on, 401 when off (Q-PERMISSION-STATUS).
        self.permission_status = 403
        # The CSV import job's knobs (read when an import is posted; not persisted).
        self.import_config = ImportConfig()

    # ---- ids and time -------------------------------------------------------------------
    def next_id(self, kind: str, explicit: int | None = None) -> int:
        with self.lock:
            if explicit is None:
                explicit = self.counters[kind]
            self.counters[kind] = max(self.counters[kind], explicit + 1)
            return explicit

    def now(self) -> str:
        return iso(self.clock.now())

    # ---- direct helpers (bypass HTTP) ---------------------------------------------------
    def add_course(self, name: str, *, sis_course_id: str | None = None,
                   course_code: str | None = None, id: int | None = None) -> Course:
        with self.lock:
            course = Course(self.next_id("course", id), name, sis_course_id,
                            course_code or name, self.now())
            self.t.courses[course.id] = course
            return course

    def add_section(self, course_id: int, name: str, *, sis_id: str | None = None,
                    id: int | None = None) -> Section:
        with self.lock:
            section = Section(self.next_id("section", id), self.course(course_id).id, name,
                              sis_id)
            self.t.sections[section.id] = section
            return section

    def add_user(self, name: str, *, login_id: str | None = None, sis_user_id: str | None = None,
                 email: str | None = None, sortable_name: str | None = None,
                 id: int | None = None) -> User:
        with self.lock:
            user = User(self.next_id("user", id), name, sortable_name or _sortable(name), name,
                        self.now(), login_id, sis_user_id, email)
            self.t.users[user.id] = user
            return user

    def enroll(self, user_id: int, course_id: int, type: str = "StudentEnrollment",
               state: str = "active", section_id: int | None = None, *,
               section_limited: bool = False) -> Enrollment:
        """Enroll a user; `type` is a class name (StudentEnrollment) or an API name (student).
        `section_limited`: Canvas's "limit privileges to their section"."""
        with self.lock:
            self.user(user_id)
            self.course(course_id)
            enrollment = Enrollment(self.next_id("enrollment"), user_id, course_id, section_id,
                                    ENROLLMENT_TYPES.get(type, type), state, self.now(),
                                    section_limited)
            self.t.enrollments[enrollment.id] = enrollment
            self._index_enrollment(enrollment)
            return enrollment

    def create_category(self, course_id: int, name: str, **fields: Any) -> GroupCategory:
        """Insert a category as-is (no validation); `fields` are GroupCategory attributes."""
        with self.lock:
            category = GroupCategory(self.next_id("category", fields.pop("id", None)),
                                     self.course(course_id).id, name, self.now(), **fields)
            self.t.categories[category.id] = category
            return category

    def create_group(self, category_id: int, name: str, **fields: Any) -> Group:
        """Insert a group as-is (no validation); inherits the category's group_limit."""
        with self.lock:
            category = self.t.categories[category_id]
            fields.setdefault("max_membership", category.group_limit)
            group = Group(self.next_id("group", fields.pop("id", None)), category.id,
                          category.course_id, name, self.now(), **fields)
            self.t.groups[group.id] = group
            bisect.insort(self._groups_by_category.setdefault(group.category_id, []), group.id)
            return group

    def add_membership(self, group_id: int, user_id: int,
                       workflow_state: str = "accepted") -> Membership:
        """Insert a membership row without the one-group-per-set rule (see rules.add_member)."""
        with self.lock:
            membership = Membership(self.next_id("membership"), self.t.groups[group_id].id,
                                    self.user(user_id).id, self.now(), workflow_state)
            self.t.memberships[membership.id] = membership
            self._index(membership)
            return membership

    def reindex(self) -> None:
        """Rebuild every index from the tables (after a load)."""
        with self.lock:
            self._by_group, self._by_user = {}, {}
            for membership in self.t.memberships.values():
                self._index(membership)
            self._enrollments_by_course, self._enrollments_by_user = {}, {}
            for enrollment in self.t.enrollments.values():
                self._index_enrollment(enrollment)
            self._groups_by_category = {}
            for group in self.t.groups.values():
                bisect.insort(self._groups_by_category.setdefault(group.category_id, []),
                              group.id)

    def _index(self, membership: Membership) -> None:
        bisect.insort(self._by_group.setdefault(membership.group_id, []), membership.id)
        bisect.insort(self._by_user.setdefault(membership.user_id, []), membership.id)

    def _index_enrollment(self, enrollment: Enrollment) -> None:
        bisect.insort(self._enrollments_by_course.setdefault(enrollment.course_id, []),
                      enrollment.id)
        bisect.insort(self._enrollments_by_user.setdefault(enrollment.user_id, []),
                      enrollment.id)

    # ---- read accessors -----------------------------------------------------------------
    def course(self, course_id: int) -> Course:
        return self.t.courses[course_id]

    def user(self, user_id: int) -> User:
        return self.t.users[user_id]

    def courses(self) -> list[Course]:
        with self.lock:
            return sorted(self.t.courses.values(), key=lambda c: c.id)

    def sections(self, course_id: int) -> list[Section]:
        """A course's sections ordered by name, then id (SectionsController#index)."""
        with self.lock:
            return sorted((s for s in self.t.sections.values() if s.course_id == course_id),
                          key=lambda s: (s.name, s.id))

    def enrollments(self, course_id: int, user_id: int | None = None) -> list[Enrollment]:
        """Non-deleted enrollments in a course, optionally of one user, by id."""
        with self.lock:
            if user_id is None:
                ids = self._enrollments_by_course.get(course_id, [])
            else:
                ids = self._enrollments_by_user.get(user_id, [])
            rows = (self.t.enrollments[i] for i in ids)
            return [e for e in rows if e.course_id == course_id and e.state != "deleted"]

    def categories(self, course_id: int, *, include_deleted: bool = False) -> list[GroupCategory]:
        with self.lock:
            return sorted((c for c in self.t.categories.values() if c.course_id == course_id
                           and (include_deleted or c.active)), key=lambda c: c.id)

    def category_by_name(self, course_id: int, name: str) -> GroupCategory | None:
        return next((c for c in self.categories(course_id) if c.name == name), None)

    def groups(self, category_id: int, *, include_deleted: bool = False) -> list[Group]:
        """A category's groups ordered by name, then id (Canvas `Group.by_name`)."""
        with self.lock:
            rows = (self.t.groups[i] for i in self._groups_by_category.get(category_id, ()))
            return sorted((g for g in rows if include_deleted or g.active),
                          key=lambda g: (g.name, g.id))

    def group_by_name(self, category_id: int, name: str) -> Group | None:
        return next((g for g in self.groups(category_id) if g.name == name), None)

    def memberships(self, group_id: int, *, include_deleted: bool = False) -> list[Membership]:
        """A group's memberships ordered by id (non-deleted unless `include_deleted`)."""
        with self.lock:
            return self._rows(self._by_group.get(group_id, ()), include_deleted)

    def user_memberships(self, user_id: int, *, include_deleted: bool = False
                         ) -> list[Membership]:
        """A user's memberships in any group, ordered by id (non-deleted unless asked)."""
        with self.lock:
            return self._rows(self._by_user.get(user_id, ()), include_deleted)

    def _rows(self, ids: Iterable[int], include_deleted: bool) -> list[Membership]:
        rows = (self.t.memberships[i] for i in ids)
        return [m for m in rows if include_deleted or m.active]

    def member_ids(self, group_id: int) -> set[int]:
        """User ids of a group's non-deleted memberships."""
        return {m.user_id for m in self.memberships(group_id)}

    def members_by_group(self, category_id: int) -> dict[str, set[int]]:
        """Group name → member ids for one category; a convenient test view."""
        return {g.name: self.member_ids(g.id) for g in self.groups(category_id)}

    def visible_sections(self, course_id: int, caller: int | None) -> set[int | None] | None:
        """The sections a section-limited caller sees (those of their current enrollments),
        or None when the caller sees the whole course."""
        mine = [e for e in self.enrollments(course_id, caller)] if caller is not None else []
        if not any(e.limit_privileges_to_course_section for e in mine):
            return None
        return {e.section_id for e in mine if e.state in ("active", "invited")}

    def next_error_report_id(self) -> int:
        return self.next_id("error_report")

    # ---- persistence ----------------------------------------------------------------------
    def save(self, path: Path) -> None:
        from reconciler.sandbox.persist import save_state

        with self.lock:
            save_state(self, path)

    @classmethod
    def load(cls, path: Path, clock: Clock | None = None) -> EmulatorState:
        from reconciler.sandbox.persist import load_state

        return load_state(path, cls(clock))


def _sortable(name: str) -> str:
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}" if first else name
