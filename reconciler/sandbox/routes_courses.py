"""Courses, their sections and the course roster (Q-ROSTER-PARAMS, Q-INVITED-HIDDEN,
Q-ENROLLMENT-JSON, Q-SECTIONS; docs/canvas-quirks.md).

GET /courses/:id/users (alias /search_users): `enrollment_type[]` (invalid → 400
"Invalid enrollment type: X"), `enrollment_state[]` (default active + invited), `include[]`
(enrollments, test_student), `user_ids[]`, `search_term` (>= 2 chars). The test student is
left out unless asked for; sis_user_id and email are always included (login_id and email
hidden for invited-only users); no rel="last" link. Each inlined enrollment carries Canvas's
SIS block (sis_course_id, sis_section_id, sis_user_id, ...) and html_url.

A section-limited caller (Q-SECTION-LIMITED) sees only the users of its own sections.
GET /courses/:id/enrollments: by `user_id` (or `self`), `type[]`, `state[]`.

GET /courses/:id/sections: the course's sections ordered by name, then id
(SectionsController#index), each with its `sis_section_id`.
"""

from __future__ import annotations

from reconciler.sandbox.entities import ENROLLMENT_TYPES, Enrollment, User
from reconciler.sandbox.errors import field_error, request_error
from reconciler.sandbox.lookup import find_course
from reconciler.sandbox.pagination import paginate
from reconciler.sandbox.router import Ctx, Response, RouteSpec
from reconciler.sandbox.serialize import (
    JSON,
    course_json,
    enrollment_json,
    roster_user_json,
    section_json,
)

DEFAULT_STATES = ("active", "invited")


def list_courses(ctx: Ctx) -> Response:
    page, link = paginate(ctx.request, ctx.state.courses())
    return Response([course_json(c) for c in page], headers={"Link": link})


def show_course(ctx: Ctx) -> Response:
    return Response(course_json(find_course(ctx.state, ctx.args["course_id"])))


def course_sections(ctx: Ctx) -> Response:
    """GET /courses/:id/sections: the course's sections by name, then id (Section JSON)."""
    course = find_course(ctx.state, ctx.args["course_id"])
    page, link = paginate(ctx.request, ctx.state.sections(course.id))
    return Response([section_json(s, course) for s in page], headers={"Link": link})


def course_users(ctx: Ctx) -> Response:
    course = find_course(ctx.state, ctx.args["course_id"])
    params = ctx.request.params
    types = _enrollment_types(params.get_list("enrollment_type") or [])
    states = set(params.get_list("enrollment_state") or DEFAULT_STATES)
    includes = ctx.includes()
    with_test = "test_student" in includes or "StudentViewEnrollment" in types
    visible = ctx.visible_sections(course.id)
    matches: dict[int, list[Enrollment]] = {}
    for enrollment in ctx.state.enrollments(course.id):
        if enrollment.state in states and (not types or enrollment.type in types) \
                and (visible is None or enrollment.section_id in visible):
            matches.setdefault(enrollment.user_id, []).append(enrollment)
    users = [ctx.state.user(uid) for uid, found in matches.items()
             if with_test or any(e.type != "StudentViewEnrollment" for e in found)]
    users = filter_users(ctx, users)
    page, link = paginate(ctx.request, users, with_last=False)
    body = [roster_user_json(ctx.state, u, course.id,
                             _enrollments(ctx, matches[u.id]) if "enrollments" in includes
                             else None)
            for u in page]
    return Response(body, headers={"Link": link})


def course_enrollments(ctx: Ctx) -> Response:
    """GET /courses/:id/enrollments: `user_id` (a user id, or `self` for the caller: the
    caller's own enrollments, readable without roster rights), `type[]`, `state[]`
    (default active + invited). The server's own token belongs to no course: `self` is []."""
    course = find_course(ctx.state, ctx.args["course_id"])
    params = ctx.request.params
    who = params.get("user_id")
    user_id = ctx.caller if who == "self" else (int(who) if who and who.isdigit() else None)
    if who is not None and user_id is None:
        return Response([], headers={"Link": paginate(ctx.request, [])[1]})
    types = set(params.get_list("type") or [])
    states = set(params.get_list("state") or DEFAULT_STATES)
    rows = [e for e in ctx.state.enrollments(course.id, user_id)
            if e.state in states and (not types or e.type in types)]
    page, link = paginate(ctx.request, rows)
    return Response(_enrollments(ctx, page), headers={"Link": link})


def _enrollments(ctx: Ctx, enrollments: list[Enrollment]) -> list[JSON]:
    return [enrollment_json(ctx.state, e, ctx.base_url) for e in enrollments]


def _enrollment_types(values: list[str]) -> set[str]:
    for value in values:
        if value not in ENROLLMENT_TYPES:
            raise request_error(f"Invalid enrollment type: {value}")
    return {ENROLLMENT_TYPES[v] for v in values}


def filter_users(ctx: Ctx, users: list[User]) -> list[User]:
    params = ctx.request.params
    user_ids = params.get_list("user_ids")
    if user_ids is not None:
        wanted = {int(v) for v in user_ids if v.isdigit()}
        users = [u for u in users if u.id in wanted]
    term = params.get("search_term")
    if term is not None:
        check_search_term(term)
        users = [u for u in users if _matches(u, term)]
    return sorted(users, key=lambda u: (u.sortable_name, u.id))


def check_search_term(term: str) -> None:
    if len(term.strip()) < 2:
        raise field_error("search_term", "2 or more characters is required")


def _matches(user: User, term: str) -> bool:
    """UserSearch: name, login, SIS id or email contains the term; or the exact id."""
    needle = term.strip().lower()
    fields = (user.name, user.sortable_name, user.login_id, user.sis_user_id, user.email)
    return str(user.id) == needle or any(needle in (f or "").lower() for f in fields)


ROUTES: list[RouteSpec] = [
    ("GET", "/courses", list_courses, None),
    ("GET", "/courses/:course_id", show_course, None),
    ("GET", "/courses/:course_id/sections", course_sections, None),
    ("GET", "/courses/:course_id/users", course_users, None),
    ("GET", "/courses/:course_id/enrollments", course_enrollments, None),
    ("GET", "/courses/:course_id/search_users", course_users, None),
]
