"""What a group CSV import does to a category: Canvas's GroupAndMembershipImporter
(Q-CSV-IMPORT-ROWS, Q-CSV-IMPORT-FAILURES; docs/canvas-quirks.md). jobs.py decides when.

- The file: a name not ending `.csv` (any case) fails "Only CSV files are supported.", bytes
  that are not UTF-8 fail "Invalid UTF-8" (both checks run; the last failure's message
  wins); malformed CSV raises MalformedCSV (the job then dies: "Unexpected error").
- Each row, in order: the group first, found by `canvas_group_id`, then `group_id` (SIS)
  among *all* the category's groups (a deleted one found so is restored), else by
  `group_name` among its active groups, else created by that name (join_level
  invitation_only, the category's group_limit as max_membership); no group key → skipped.
  The group is resolved even when the row's user turns out to be invalid.
- Then the user, by `canvas_user_id`, `user_id` (SIS), `login_id` (case-insensitive), each
  only among the course's students (a StudentEnrollment neither rejected, completed,
  inactive nor deleted; never the test student); the first accepted row per user wins.
- The user's memberships in every group of the category go at once (soft deletes through
  rules.remove_membership: leadership dropped, auto_leader re-picked in the old group).
  Memberships are inserted accepted in batches (after every 1000th row and at the end)
  with no validations: no limit, no section rule, no one-group hook, no auto_leader.
- Users absent from the file are never touched, groups never deleted or renamed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from reconciler.sandbox.csv_dialect import Row, read_rows
from reconciler.sandbox.entities import Group, GroupCategory
from reconciler.sandbox.http import ruby_to_i
from reconciler.sandbox.rules import Changes, inherit_group_limit, remove_membership
from reconciler.sandbox.state import EmulatorState
from reconciler.sandbox.validation import MAX_NAME

NOT_CSV = "Only CSV files are supported."
NOT_UTF8 = "Invalid UTF-8"
BATCH_ROWS = 1000
REFUSED_STATES = frozenset({"rejected", "completed", "inactive", "deleted"})


class ImportRejected(Exception):
    """The file failed validate_file; `error` is the message Canvas stores."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class InvalidRecord(Exception):
    """A `create!`/`save!` that Canvas's validations refuse: the job dies mid-way."""


@dataclass
class Tally:
    groups: int = 0  # groups given users, summed over insert batches
    users: int = 0  # distinct users accepted


def read_file(filename: str | None, data: bytes) -> list[Row]:
    """validate_file, then the CSV; raises ImportRejected or MalformedCSV."""
    error = None
    if filename is None or os.path.splitext(filename)[1].lower() != ".csv":  # File.extname
        error = NOT_CSV
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        error = NOT_UTF8
    if error is not None:
        raise ImportRejected(error)
    return read_rows(text)


def import_rows(state: EmulatorState, category: GroupCategory, rows: list[Row],
                changes: Changes) -> Tally:
    """Apply the rows; `changes` records users added to a group they were not in and
    memberships left in other groups, also when InvalidRecord stops the import."""
    run = _Run(state, category, changes, _students(state, category.course_id),
               _Pseudonyms.of(state))
    for index, row in enumerate(rows):
        run.row(index, row)
    run.flush()
    run.tally.users = len(run.seen_users)
    return run.tally


def _students(state: EmulatorState, course_id: int) -> set[int]:
    """`course.students` without the test student (StudentViewEnrollment)."""
    return {e.user_id for e in state.enrollments(course_id)
            if e.type == "StudentEnrollment" and e.state not in REFUSED_STATES}


@dataclass
class _Pseudonyms:
    """The root account's logins: SIS id → user, lower-cased login → user (the lowest
    user id when two share one, standing in for `limit(1)`)."""

    by_sis: dict[str, int]
    by_login: dict[str, int]

    @classmethod
    def of(cls, state: EmulatorState) -> _Pseudonyms:
        by_sis: dict[str, int] = {}
        by_login: dict[str, int] = {}
        for user in sorted(state.t.users.values(), key=lambda u: u.id, reverse=True):
            if user.sis_user_id is not None:
                by_sis[user.sis_user_id] = user.id
            if user.login_id is not None:
                by_login[user.login_id.lower()] = user.id
        return cls(by_sis, by_login)


@dataclass
class _Run:
    state: EmulatorState
    category: GroupCategory
    changes: Changes
    students: set[int]
    logins: _Pseudonyms
    tally: Tally = field(default_factory=Tally)
    seen_groups: dict[str, Group] = field(default_factory=dict)
    seen_users: set[int] = field(default_factory=set)
    pending: dict[int, list[int]] = field(default_factory=dict)  # group id → user ids
    rejoining: set[int] = field(default_factory=set)  # back into the group they were in

    def row(self, index: int, row: Row) -> None:
        group = self.group(row)
        user_id = self.user(row) if group is not None else None
        if group is None or user_id is None or user_id in self.seen_users:
            return
        self.seen_users.add(user_id)
        if self.leave_category(user_id, group):
            self.rejoining.add(user_id)
        self.pending.setdefault(group.id, []).append(user_id)
        if index % BATCH_ROWS == 0 and index != 0:
            self.flush()

    def group(self, row: Row) -> Group | None:
        ref, sis, name = row.get("canvas_group_id"), row.get("group_id"), row.get("group_name")
        key = ",".join(f"{label}:{value}" for label, value in
                       (("id", ref), ("sis_id", sis), ("name", name)) if value is not None)
        if not key:
            return None
        group = self.seen_groups.get(key) or self.find_group(ref, sis, name)
        if group is not None and not group.active:
            self.restore(group)
        if group is None and name is not None:
            group = self.create_group(name)
        if group is not None:
            self.seen_groups.setdefault(key, group)
        return group

    def find_group(self, ref: str | None, sis: str | None, name: str | None) -> Group | None:
        every = self.state.groups(self.category.id, include_deleted=True)
        by_id = sorted(every, key=lambda g: g.id)
        found = None
        if ref is not None:
            found = next((g for g in by_id if g.id == ruby_to_i(ref)), None)
        if found is None and sis is not None:
            found = next((g for g in by_id if g.sis_id == sis), None)
        if found is None and name is not None:
            found = next((g for g in by_id if g.active and g.name == name), None)
        return found

    def restore(self, group: Group) -> None:
        """`restore_group`: available again (`deleted_at` is left as it was), then saved."""
        group.workflow_state = "available"
        inherit_group_limit(self.state, group)

    def create_group(self, name: str) -> Group:
        if len(name) > MAX_NAME:
            raise InvalidRecord(f"group name over {MAX_NAME} characters")
        group = self.state.create_group(self.category.id, name)
        inherit_group_limit(self.state, group)
        return group

    def user(self, row: Row) -> int | None:
        """The first of canvas_user_id, SIS id, login that names a student."""
        ref, sis, login = row.get("canvas_user_id"), row.get("user_id"), row.get("login_id")
        candidates = (ruby_to_i(ref) if ref is not None else None,
                      self.logins.by_sis.get(sis) if sis is not None else None,
                      self.logins.by_login.get(login.lower()) if login is not None else None)
        return next((uid for uid in candidates if uid in self.students), None)

    def leave_category(self, user_id: int, target: Group) -> bool:
        """`validate_user`: every membership of the user in the category's groups goes;
        True when one of them was in the target group."""
        was_member = False
        for membership in self.state.user_memberships(user_id):
            group = self.state.t.groups[membership.group_id]
            if group.category_id != self.category.id:
                continue
            remove_membership(self.state, membership)
            if group.id == target.id:
                was_member = True
            else:
                self.changes.moved_out.append([group.id, user_id])
        return was_member

    def flush(self) -> None:
        """`persist_memberships`: bulk inserts, accepted, without validations or hooks."""
        self.tally.groups += len(self.pending)
        for group_id, user_ids in self.pending.items():
            for user_id in user_ids:
                self.state.add_membership(group_id, user_id)
                if user_id not in self.rejoining:
                    self.changes.added.append(user_id)
        self.pending = {}
