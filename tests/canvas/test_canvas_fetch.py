"""fetch: Canvas JSON -> CourseState / Roster, through the real client and responses."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from canvas_fakes import BASE, make_client

from reconciler.canvas import fetch_roster, fetch_state, resolve_course_id
from reconciler.errors import CanvasNotFoundError, ConfigError
from reconciler.model import Enrollment, Group, GroupSet

API = f"{BASE}/api/v1"


def _category(cid: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "role": None, "self_signup": None, "auto_leader": None,
            "group_limit": None, "context_type": "Course", "course_id": 101,
            "protected": False, "allows_multiple_memberships": False, "is_member": False,
            "non_collaborative": False, **extra}


def _group(gid: int, name: str, cat: int, users: list[int], **extra: Any) -> dict[str, Any]:
    return {"id": gid, "name": name, "description": None, "is_public": False,
            "join_level": "invitation_only", "group_category_id": cat, "max_membership": None,
            "members_count": len(users), "leader": None, "course_id": 101, "role": None,
            "users": [{"id": u, "name": f"U{u}", "sortable_name": f"U{u}"} for u in users],
            **extra}


CATEGORIES = [
    _category(41, "Projects", self_signup="restricted", auto_leader="first", group_limit=4,
              sis_group_category_id="PROJ"),
    _category(42, "Student Groups", role="student_organized", protected=True,
              allows_multiple_memberships=True),
    _category(43, "Tags", non_collaborative=True),
    _category(40, "Labs"),
]
GROUPS = [
    _group(503, "Team B", 41, [9003], description="second", max_membership=5,
           join_level="parent_context_request", sis_group_id="TB",
           leader={"id": 9003, "display_name": "U9003"}),
    _group(501, "Team A", 41, [9002, 9001]),
    _group(502, "Team A", 41, []),  # duplicate name: Canvas allows it; ordered by id
    _group(601, "Study buddies", 42, [9001]),
    _group(701, "Tag 1", 43, [9001], non_collaborative=True),
    _group(801, "Big lab", 40, list(range(1, 1001))),
]


def _register_state() -> None:
    responses.get(f"{API}/courses/101/group_categories", json=CATEGORIES)
    responses.get(f"{API}/courses/101/groups", json=GROUPS[:3],
                  headers={"link": f'<{API}/courses/101/groups?include%5B%5D=users&page=2'
                                   f'&per_page=100>; rel="next"'})
    responses.get(f"{API}/courses/101/groups?include%5B%5D=users&page=2&per_page=100",
                  json=GROUPS[3:])
    page2 = f"{API}/groups/801/memberships?page=2&per_page=100"
    rows = [{"id": i, "group_id": 801, "user_id": i, "workflow_state": "accepted"}
            for i in range(1, 1004)]
    responses.get(f"{API}/groups/801/memberships", json=rows[:1000],
                  headers={"Link": f'<{page2}>; rel="next"'})
    responses.get(page2, json=rows[1000:])


@responses.activate
def test_fetch_state_maps_sets_groups_and_members() -> None:
    _register_state()
    client, _ = make_client()
    state = fetch_state(client, 101)

    assert state.course_id == 101
    assert [s.name for s in state.group_sets] == ["Labs", "Projects", "Student Groups"]
    projects = state.set_named("Projects")
    assert projects == GroupSet(
        name="Projects", self_signup="restricted", auto_leader="first", group_limit=4,
        sis_id="PROJ", canvas_id=41, protected=False,
        groups=(
            Group(name="Team A", join_level="invitation_only", members=frozenset({9001, 9002}),
                  canvas_id=501),
            Group(name="Team A", join_level="invitation_only", members=frozenset(),
                  canvas_id=502),
            Group(name="Team B", description="second", max_membership=5,
                  join_level="parent_context_request", sis_id="TB",
                  members=frozenset({9003}), leader=9003, canvas_id=503),
        ))


@responses.activate
def test_fetch_state_protected_and_non_collaborative() -> None:
    _register_state()
    client, _ = make_client()
    state = fetch_state(client, 101)
    student_groups = state.set_named("Student Groups")
    assert student_groups is not None and student_groups.protected
    assert [g.name for g in student_groups.groups] == ["Study buddies"]
    assert state.set_named("Tags") is None


@responses.activate
def test_fetch_state_one_course_groups_call_with_inline_users() -> None:
    _register_state()
    client, _ = make_client()
    fetch_state(client, 101)
    group_calls = [c.request.url or "" for c in responses.calls
                   if "/courses/101/groups" in (c.request.url or "")]
    assert ("include[]", "users") in parse_qsl(urlsplit(group_calls[0]).query)
    member_calls = [c for c in responses.calls if "memberships" in (c.request.url or "")]
    assert len(member_calls) == 2  # only the capped group, both pages


@responses.activate
def test_fetch_state_rereads_capped_group_from_memberships() -> None:
    _register_state()
    client, _ = make_client()
    labs = fetch_state(client, 101).set_named("Labs")
    assert labs is not None
    assert labs.groups[0].members == frozenset(range(1, 1004))


ROSTER = [
    {"id": 7, "name": "Invited Student", "sis_user_id": "STU0007",
     "enrollments": [{"id": 1, "course_id": 101, "course_section_id": 11,
                      "type": "StudentEnrollment", "enrollment_state": "invited"}]},
    {"id": 2, "name": "Sheldon Cooper", "sis_user_id": "SHEL93921",
     "login_id": "sheldon@caltech.example.com", "email": "sheldon@caltech.example.com",
     "enrollments": [
         {"id": 3, "course_id": 101, "course_section_id": 12, "type": "TaEnrollment",
          "enrollment_state": "active"},
         {"id": 2, "course_id": 101, "course_section_id": 11, "type": "StudentEnrollment",
          "enrollment_state": "completed"},
         {"id": 9, "course_id": 555, "course_section_id": 99, "type": "StudentEnrollment",
          "enrollment_state": "active"}]},
]


@responses.activate
def test_fetch_roster_params_and_mapping() -> None:
    responses.get(f"{API}/courses/101/users", json=ROSTER)
    responses.get(f"{API}/courses/101/sections",
                  json=[{"id": 12, "name": "Lab 02"}, {"id": 11, "name": "Lab 01"}])
    client, _ = make_client()
    roster = fetch_roster(client, 101)
    assert roster.section_ids() == {"Lab 01": 11, "Lab 02": 12}
    assert [s.id for s in roster.sections] == [11, 12]

    query = parse_qsl(urlsplit(responses.calls[0].request.url or "").query)
    assert sorted(query) == sorted([
        ("include[]", "enrollments"), ("include[]", "test_student"),
        ("enrollment_state[]", "active"), ("enrollment_state[]", "invited"),
        ("enrollment_state[]", "completed"), ("per_page", "100")])
    assert [u.id for u in roster.users] == [2, 7]
    sheldon, invited = roster.users
    assert sheldon.login_id == "sheldon@caltech.example.com"
    assert sheldon.enrollments == (
        Enrollment(type="StudentEnrollment", state="completed", section_id=11),
        Enrollment(type="TaEnrollment", state="active", section_id=12))
    assert invited.login_id is None and invited.email is None
    assert invited.sis_user_id == "STU0007"
    assert invited.enrollments == (
        Enrollment(type="StudentEnrollment", state="invited", section_id=11),)


@pytest.mark.parametrize(("ref", "url"), [
    (101, f"{API}/courses/101"),
    ("101", f"{API}/courses/101"),
    ("sis_course_id:BIO 101/A", f"{API}/courses/sis_course_id:BIO%20101%2FA"),
])
@responses.activate
def test_resolve_course_id(ref: int | str, url: str) -> None:
    responses.get(url, json={"id": 101, "name": "Biology"})
    client, _ = make_client()
    assert resolve_course_id(client, ref) == 101


@responses.activate
def test_a_numeric_course_id_needs_no_request_and_a_missing_course_is_a_clear_404() -> None:
    client, _ = make_client()
    assert resolve_course_id(client, 999) == 999 and resolve_course_id(client, "12") == 12
    responses.get(f"{API}/courses/999/users", status=404,
                  json={"errors": [{"message": "The specified resource does not exist."}]})
    with pytest.raises(CanvasNotFoundError, match="course may not exist"):
        fetch_roster(client, 999, sections=False)


@pytest.mark.parametrize("ref", ["abc", "sis_user_id:x", "sis_course_id:", "-1"])
def test_resolve_course_id_rejects_bad_refs(ref: str) -> None:
    client, _ = make_client()
    with pytest.raises(ConfigError):
        resolve_course_id(client, ref)
