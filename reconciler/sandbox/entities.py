"""The emulator's rows. Field names follow Canvas's tables (Q-OBJECT-JSON, docs/canvas-quirks.md);
ids are plain ints.

Deleted things stay as rows (soft deletes, Q-SOFT-DELETE): a category gets `deleted_at`,
groups and memberships get `workflow_state = "deleted"`. A Progress is Canvas's background-job
row (Q-PROGRESS); an ImportJob is the emulator's queued CSV import behind one (jobs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Canvas enrollment class names, keyed by the `enrollment_type[]` values the API accepts
# (Q-ROSTER-PARAMS, docs/canvas-quirks.md).
ENROLLMENT_TYPES: dict[str, str] = {
    "student": "StudentEnrollment",
    "teacher": "TeacherEnrollment",
    "ta": "TaEnrollment",
    "observer": "ObserverEnrollment",
    "designer": "DesignerEnrollment",
    "student_view": "StudentViewEnrollment",
}
ROLE_IDS: dict[str, int] = {cls: n for n, cls in enumerate(ENROLLMENT_TYPES.values(), start=1)}


@dataclass
class Course:
    id: int
    name: str
    sis_course_id: str | None
    course_code: str
    created_at: str
    workflow_state: str = "available"


@dataclass
class Section:
    id: int
    course_id: int
    name: str
    sis_id: str | None = None  # Canvas's sis_source_id, shown as sis_section_id


@dataclass
class User:
    id: int
    name: str
    sortable_name: str
    short_name: str
    created_at: str
    login_id: str | None = None
    sis_user_id: str | None = None
    email: str | None = None


@dataclass
class Enrollment:
    id: int
    user_id: int
    course_id: int
    section_id: int | None
    type: str  # StudentEnrollment, TeacherEnrollment, ...
    state: str  # active, invited, completed, inactive, rejected, deleted
    created_at: str
    # "limit privileges to their section": the user sees only their sections' students
    limit_privileges_to_course_section: bool = False


@dataclass
class GroupCategory:
    id: int
    course_id: int
    name: str
    created_at: str
    role: str | None = None  # None | student_organized | communities | imported
    self_signup: str | None = None
    auto_leader: str | None = None
    group_limit: int | None = None
    sis_id: str | None = None
    deleted_at: str | None = None

    @property
    def active(self) -> bool:
        return self.deleted_at is None

    @property
    def protected(self) -> bool:
        return self.role is not None and self.role != "imported"

    @property
    def allows_multiple_memberships(self) -> bool:
        return self.role in ("student_organized", "communities")


@dataclass
class Group:
    id: int
    category_id: int
    course_id: int
    name: str
    created_at: str
    description: str | None = None
    is_public: bool = False
    join_level: str = "invitation_only"
    max_membership: int | None = None
    sis_id: str | None = None
    leader_id: int | None = None
    workflow_state: str = "available"
    deleted_at: str | None = None
    has_submission: bool = False  # assignments are not modelled; tests and seeds set it

    @property
    def active(self) -> bool:
        return self.workflow_state != "deleted"


@dataclass
class Membership:
    id: int
    group_id: int
    user_id: int
    created_at: str
    workflow_state: str = "accepted"  # accepted | invited | requested | deleted
    moderator: bool = False

    @property
    def active(self) -> bool:
        return self.workflow_state != "deleted"


@dataclass
class Progress:
    """Canvas's Progress row (app/models/progress.rb); `completion` is a float."""

    id: int
    context_id: int
    context_type: str
    tag: str
    created_at: str
    updated_at: str
    workflow_state: str = "queued"  # queued | running | completed | failed
    completion: float = 0.0
    message: str | None = None
    user_id: int | None = None  # imports are created without a user


@dataclass
class ImportJob:
    """A CSV import waiting for or running on its course's queue; its id is its Progress's.
    Times are the state clock's monotonic seconds; `data` is the file, base64-encoded."""

    id: int
    course_id: int
    category_id: int
    filename: str | None  # None: `attachment` was not a file
    data: str
    duration_s: float
    enqueued_at: float
    started_at: float | None = None
    fail: bool = False  # ImportConfig.fail_next: end failed, applying nothing
    stall: bool = False  # ImportConfig.stall: never end


@dataclass
class WriteEvent:
    """One write request as the emulator saw it (successful or not)."""

    method: str
    path: str
    status: int
    kind: str
    ids: dict[str, int] = field(default_factory=dict)
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    # [group_id, user_id] pairs soft-deleted elsewhere by the one-group-per-set rule
    moved_out: list[list[int]] = field(default_factory=list)
    fault: str | None = None
