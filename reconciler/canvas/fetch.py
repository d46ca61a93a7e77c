"""Reads only: Canvas -> Roster and current CourseState (Canvas ids kept beside keys).

Canvas facts relied on (groups.md):
- §3.1 GET /courses/:id/group_categories lists active *collaborative* categories by default
  (differentiation tags are hidden unless asked for; any that appear are skipped), including
  protected ones ("Student Groups", "Imported Groups"): `role` not null -> protected.
- §3.2 GET /courses/:id/groups?include[]=users returns every active group of the course with
  its members inline (admin view: every non-deleted membership) — one paginated call.
- §2.2 the inline `users` list is capped at 1000, so a group that reaches the cap is re-read
  from GET /groups/:id/memberships (§3.3: paginated, uncapped, all states).
- §2.6 the leader is a `leader` object; there is no leader_id.
- §2.1/§2.2 SIS ids are `sis_group_category_id` / `sis_group_id` (null without read_sis).
- §3.4 GET /courses/:id/users with include[]=enrollments; enrollment JSON carries `type`,
  `enrollment_state` and `course_section_id`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reconciler.canvas.api import ReadAPI
from reconciler.errors import ConfigError, StateError
from reconciler.model import CourseState, Enrollment, Group, GroupSet, Roster, Section, User

INLINE_USERS_CAP = 1000
ROSTER_PARAMS: tuple[tuple[str, str], ...] = (
    ("include[]", "enrollments"),
    ("include[]", "test_student"),
    ("enrollment_state[]", "active"),
    ("enrollment_state[]", "invited"),
    ("enrollment_state[]", "completed"),
)
_JOIN_LEVELS = frozenset({"parent_context_auto_join", "parent_context_request",
                          "invitation_only"})


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
    """The numeric Canvas id of a course (404 -> CanvasNotFoundError from the client)."""
    body = client.get(course_path(ref))
    if not isinstance(body, dict) or not isinstance(body.get("id"), int):
        raise StateError(f"Canvas returned no course id for {ref!r}")
    return int(body["id"])


# -- roster -------------------------------------------------------------------------------

def _enrollment(raw: dict[str, Any]) -> Enrollment:
    return Enrollment(type=str(raw.get("type", "")),
                      state=str(raw.get("enrollment_state") or "active"),
                      section_id=raw.get("course_section_id"))


def _user(raw: dict[str, Any], course_id: int) -> User:
    enrollments = [
        _enrollment(e) for e in raw.get("enrollments") or ()
        if e.get("course_id") in (None, course_id)
    ]
    enrollments.sort(key=lambda e: (e.type, e.state, e.section_id or 0))
    return User(id=int(raw["id"]), name=str(raw.get("name") or ""),
                login_id=raw.get("login_id"), sis_user_id=raw.get("sis_user_id"),
                email=raw.get("email"), enrollments=tuple(enrollments))


def fetch_roster(client: ReadAPI, course_id: int) -> Roster:
    """Every enrollment type (the test student included, so a spec may opt in to it) in
    active, invited or completed enrollments, by user id; and the course's sections.

    Invited-only users come back without login_id/email (groups.md §3.4)."""
    rows = client.get_all(f"/api/v1/courses/{course_id}/users", ROSTER_PARAMS)
    users = {int(r["id"]): _user(r, course_id) for r in rows}
    sections = client.get_all(f"/api/v1/courses/{course_id}/sections")
    return Roster(users=tuple(users[uid] for uid in sorted(users)),
                  sections=tuple(Section(id=int(s["id"]), name=str(s["name"]))
                                 for s in sorted(sections, key=lambda s: int(s["id"]))))


# -- group sets and groups ----------------------------------------------------------------

def _member_ids(client: ReadAPI, raw: dict[str, Any]) -> frozenset[int]:
    users = raw.get("users") or []
    if len(users) < INLINE_USERS_CAP:
        return frozenset(int(u["id"]) for u in users)
    rows = client.get_all(f"/api/v1/groups/{raw['id']}/memberships")
    return frozenset(int(r["user_id"]) for r in rows)


def _group(client: ReadAPI, raw: dict[str, Any]) -> Group:
    leader = raw.get("leader")
    join_level = raw.get("join_level")
    return Group(
        name=str(raw["name"]),
        description=raw.get("description"),
        max_membership=raw.get("max_membership"),
        join_level=join_level if join_level in _JOIN_LEVELS else None,
        sis_id=raw.get("sis_group_id"),
        members=_member_ids(client, raw),
        leader=int(leader["id"]) if isinstance(leader, dict) and "id" in leader else None,
        canvas_id=int(raw["id"]),
    )


def _group_set(raw: dict[str, Any], groups: list[Group]) -> GroupSet:
    groups.sort(key=lambda g: (g.name, g.canvas_id or 0))
    return GroupSet(
        name=str(raw["name"]),
        self_signup=raw.get("self_signup"),
        auto_leader=raw.get("auto_leader"),
        group_limit=raw.get("group_limit"),
        sis_id=raw.get("sis_group_category_id"),
        groups=tuple(groups),
        canvas_id=int(raw["id"]),
        protected=raw.get("role") is not None,
    )


def fetch_state(client: ReadAPI, course_id: int) -> CourseState:
    """Every active collaborative group set of the course with its groups and members."""
    categories = [
        c for c in client.get_all(f"/api/v1/courses/{course_id}/group_categories")
        if not c.get("non_collaborative")
    ]
    by_set: dict[int, list[Group]] = {int(c["id"]): [] for c in categories}
    rows = client.get_all(f"/api/v1/courses/{course_id}/groups", [("include[]", "users")])
    for raw in rows:
        set_id = raw.get("group_category_id")
        if set_id in by_set and not raw.get("non_collaborative"):
            by_set[set_id].append(_group(client, raw))
    sets = [_group_set(c, by_set[int(c["id"])]) for c in categories]
    sets.sort(key=lambda s: (s.name, s.canvas_id or 0))
    return CourseState(course_id=course_id, group_sets=tuple(sets))
