"""Reads only: Canvas -> Roster and current CourseState (Canvas ids kept beside keys).

Field names and values go through the wire tables (wire.py); a malformed row is a
StateError naming the object. Canvas facts relied on (docs/canvas-quirks.md):
- GET /courses/:id/group_categories lists active collaborative categories, Canvas's own
  protected ones included (`role` not null; Q-PROTECTED); differentiation tags
  (`non_collaborative`) are skipped if any appear.
- GET /courses/:id/groups?include[]=users returns every active group of the course with
  its members inline, in one paginated call; the inline list is capped at 1000
  (Q-INLINE-CAP), so a group that reaches the cap is re-read from
  GET /groups/:id/memberships (paginated, uncapped).
- The leader is a user object, not an id (Q-LEADER-OBJECT); SIS ids need read_sis.
- GET /courses/:id/users with include[]=enrollments: enrollments carry `type`,
  `enrollment_state` and `course_section_id`; invited-only users come without login_id
  and email (Q-INVITED-HIDDEN).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reconciler.canvas import wire
from reconciler.canvas.api import ReadAPI
from reconciler.canvas.progress import Stalled, await_progress
from reconciler.canvas.run import STALL_AFTER
from reconciler.errors import ConfigError, StateError
from reconciler.model import CourseState, Enrollment, Group, GroupSet, Roster, Section, User
from reconciler.natural import natural_key

INLINE_USERS_CAP = 1000
SETTLE_ATTEMPTS = 3
ROSTER_PARAMS: tuple[tuple[str, str], ...] = (
    ("include[]", "enrollments"),
    ("include[]", "test_student"),
    ("enrollment_state[]", "active"),
    ("enrollment_state[]", "invited"),
    ("enrollment_state[]", "completed"),
)


def course_path(ref: int | str) -> str:
    """`/api/v1/courses/<id>` for a numeric id or a `sis_course_id:X` reference."""
    text = str(ref).strip()
    if text.isdigit():
        return f"/api/v1/courses/{int(text)}"
    field, sep, value = text.partition(":")
    if sep and field == "sis_course_id" and value:
        return f"/api/v1/courses/sis_course_id:{quote(value, safe='')}"
    raise ConfigError(f"course must be a Canvas id or sis_course_id:VALUE, got {text!r}")


def resolve_course_id(client: ReadAPI, ref: int | str) -> int:
    """The numeric Canvas id of a course. A numeric id is taken as it is, with no request:
    the first listing of the course answers 404 if it does not exist. A `sis_course_id:`
    reference is looked up (404 -> CanvasNotFoundError from the client)."""
    text = str(ref).strip()
    if text.isdigit():
        return int(text)
    body = client.get(course_path(ref))
    if not isinstance(body, dict) or not isinstance(body.get("id"), int):
        raise StateError(f"Canvas returned no course id for {ref!r}")
    return int(body["id"])


# -- roster -------------------------------------------------------------------------------

def _enrollment(raw: Any) -> Enrollment:
    if not isinstance(raw, dict):
        raise StateError("Canvas returned a course user with a malformed enrollment")
    section = raw.get("course_section_id")
    return Enrollment(type=str(raw.get("type", "")),
                      state=str(raw.get("enrollment_state") or "active"),
                      section_id=section if isinstance(section, int) else None)


def _user(raw: Any, course_id: int) -> User:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
        raise StateError("Canvas returned a course user without a numeric id")
    where = f"course user id {raw['id']}"
    enrollments = [
        _enrollment(e) for e in raw.get("enrollments") or ()
        if not isinstance(e, dict) or e.get("course_id") in (None, course_id)
    ]
    enrollments.sort(key=lambda e: (e.type, e.state, e.section_id or 0))
    return User(id=raw["id"], name=str(raw.get("name") or ""),
                login_id=wire.text(raw.get("login_id"), where),
                sis_user_id=wire.text(raw.get("sis_user_id"), where),
                email=wire.text(raw.get("email"), where), enrollments=tuple(enrollments))


def _section(raw: Any) -> Section:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), int) \
            or not isinstance(raw.get("name"), str):
        raise StateError("Canvas returned a course section without a numeric id or a name")
    return Section(id=raw["id"], name=raw["name"])


def fetch_roster(client: ReadAPI, course_id: int, *, sections: bool = True) -> Roster:
    """Every enrollment type (the test student included, so a spec may opt in to it) in
    active, invited or completed enrollments, by user id; and, with `sections`, the
    course's sections. The two listings run side by side.

    Invited-only users come back without login_id/email (Q-INVITED-HIDDEN)."""
    names = ("users", *(("sections",) if sections else ()))
    return _roster(course_id, *_listings(client, course_id, names))


def fetch_state(client: ReadAPI, course_id: int, *,
                settle_within: float = STALL_AFTER) -> CourseState:
    """Every active collaborative group set of the course with its groups and members; the
    set and group listings run side by side. `settle_within`: see _settled."""
    categories, groups = _listings(client, course_id, ("categories", "groups"))
    return _settled(client, course_id, categories, groups, settle_within)


def read_course(client: ReadAPI, course_id: int, *, sections: bool,
                settle_within: float = STALL_AFTER) -> tuple[Roster, CourseState]:
    """The roster and the groups at once: every listing a plan needs, side by side."""
    names = ("users", "categories", "groups", *(("sections",) if sections else ()))
    found = dict(zip(names, _listings(client, course_id, names), strict=True))
    roster = _roster(course_id, found["users"], found.get("sections"))
    return roster, _settled(client, course_id, found["categories"], found["groups"],
                            settle_within)


def _settled(client: ReadAPI, course_id: int, categories: list[Any], groups: list[Any],
             settle_within: float = STALL_AFTER) -> CourseState:
    """The state, once no import into a set is still waiting or running (its rows would
    land after the plan was made): such a job is waited for, then the sets and groups are
    read again. A job showing no progress for `settle_within` seconds is a StateError."""
    for _ in range(SETTLE_ATTEMPTS):
        pending = [(raw.get("name"), job) for raw in categories
                   if (job := wire.pending_progress(raw)) is not None]
        if not pending:
            return _state(client, course_id, categories, groups)
        for name, job in pending:
            try:
                await_progress(client, job, settle_within,
                               f"the import already running in {name!r}")
            except Stalled as stalled:
                raise StateError(
                    f"the group set {name!r} has an import still running in Canvas "
                    f"(progress {job.id}) that made no progress for {stalled.seconds:g} s; "
                    "plan again once it has finished") from None
        categories, groups = _listings(client, course_id, ("categories", "groups"))
    raise StateError(f"course {course_id} keeps starting imports into its group sets; "
                     "plan again when they have finished")


LISTINGS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "users": ("users", ROSTER_PARAMS),
    "sections": ("sections", ()),
    "categories": ("group_categories", (("includes[]", "progress_url"),)),  # Q-PROGRESS
    "groups": ("groups", (("include[]", "users"),)),
}


def _listings(client: ReadAPI, course_id: int, names: tuple[str, ...]) -> list[list[Any]]:
    def listing(name: str) -> list[Any]:
        tail, params = LISTINGS[name]
        return client.get_all(f"/api/v1/courses/{course_id}/{tail}", params or None)
    return client.pool.map(listing, names)


def _roster(course_id: int, rows: list[Any], section_rows: list[Any] | None = None) -> Roster:
    users = {user.id: user for user in (_user(row, course_id) for row in rows)}
    sections = sorted((_section(s) for s in section_rows or ()), key=lambda s: s.id)
    return Roster(users=tuple(users[uid] for uid in sorted(users)), sections=tuple(sections))


# -- group sets and groups ----------------------------------------------------------------

def _capped(raw: Any) -> bool:
    """Whether the inline member list may be cut short (Q-INLINE-CAP)."""
    users = raw.get("users") or []
    return not isinstance(users, list) or len(users) >= INLINE_USERS_CAP


def _all_members(client: ReadAPI, raw: Any) -> list[Any]:
    wire.GROUP.where(raw)  # a numeric id before it goes into a path
    return client.get_all(f"/api/v1/groups/{raw['id']}/memberships")


def _group(raw: Any, memberships: list[Any] | None) -> Group:
    fields = wire.GROUP.read(raw)
    where = wire.GROUP.where(raw)
    members = wire.user_ids(raw.get("users") or [], where) if memberships is None \
        else wire.user_ids(memberships, where, key="user_id")
    return Group(**fields, members=members, leader=wire.leader_id(raw),
                 has_submission=wire.has_submission(raw))


def _set_fields(raw: Any) -> dict[str, Any]:
    return {**wire.GROUP_SET.read(raw), "protected": wire.is_protected(raw)}


def _state(client: ReadAPI, course_id: int, categories: list[Any],
           groups: list[Any]) -> CourseState:
    sets = [_set_fields(c) for c in categories
            if not (isinstance(c, dict) and c.get("non_collaborative"))]
    by_set: dict[int, list[Any]] = {fields["canvas_id"]: [] for fields in sets}
    for raw in groups:
        set_id = raw.get("group_category_id") if isinstance(raw, dict) else None
        if set_id in by_set and not raw.get("non_collaborative"):
            by_set[set_id].append(raw)
    capped = [raw for raws in by_set.values() for raw in raws if _capped(raw)]
    reread = dict(zip(map(id, capped), client.pool.map(
        lambda raw: _all_members(client, raw), capped), strict=True))
    group_sets = [GroupSet(**fields, groups=tuple(sorted(
        (_group(raw, reread.get(id(raw))) for raw in by_set[fields["canvas_id"]]),
        key=lambda g: (natural_key(g.name), g.canvas_id or 0)))) for fields in sets]
    group_sets.sort(key=lambda s: (natural_key(s.name), s.canvas_id or 0))
    return CourseState(course_id=course_id, group_sets=tuple(group_sets))


def caller_is_section_limited(client: ReadAPI, course_id: int) -> bool:
    """Whether the token's user is limited to their own sections in the course (their own
    enrollments, which any enrolled user may read; an admin without one is not limited)."""
    rows = client.get_all(f"/api/v1/courses/{course_id}/enrollments", [("user_id", "self")])
    return wire.section_limited(rows)
