"""GET /courses/:id/users (groups.md §3.4) against the demo seed."""

from __future__ import annotations

import pytest

from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import TEST_STUDENT_ID, student_id
from tests.sandbox.helpers import Api


def roster(sandbox: SandboxServer, **params: object) -> dict[int, dict[str, object]]:
    users = Api(sandbox).all_pages("/courses/101/users", per_page=100, **params)
    return {u["id"]: u for u in users}


@pytest.mark.parametrize(("params", "present", "absent"), [
    ({}, {student_id(1), student_id(37), 1100, 1101}, {student_id(38), TEST_STUDENT_ID}),
    ({"enrollment_type[]": "student"}, {student_id(1), student_id(37)}, {1100, 1101}),
    ({"enrollment_state[]": "completed"}, {student_id(38)}, {student_id(1)}),
    ({"include[]": "test_student"}, {TEST_STUDENT_ID}, set()),
    ({"enrollment_type[]": "student_view"}, {TEST_STUDENT_ID}, {student_id(1)}),
    ({"user_ids[]": ["1001", "1002"]}, {1001, 1002}, {1003}),
    ({"search_term": "s07"}, {student_id(7)}, {student_id(8)}),
])
def test_roster_filters(sandbox: SandboxServer, params: dict[str, object], present: set[int],
                        absent: set[int]) -> None:
    ids = set(roster(sandbox, **params))
    assert present <= ids
    assert not absent & ids


def test_identity_fields(sandbox: SandboxServer) -> None:
    users = roster(sandbox, **{"include[]": "enrollments"})
    s01 = users[student_id(1)]
    assert (s01["login_id"], s01["sis_user_id"], s01["email"]) == ("s01", "20260001",
                                                                     "s01@example.edu")
    enrollment = s01["enrollments"][0]  # type: ignore[index]
    assert enrollment["type"] == "StudentEnrollment"
    assert enrollment["enrollment_state"] == "active"
    invited = users[student_id(37)]
    assert "login_id" not in invited and "email" not in invited
    assert invited["sis_user_id"] == "20260037"


# Every key of a (non-student) enrollment in GET /courses/:id/users?include[]=enrollments as
# recorded from a real Canvas (edulinq/lms-docker-canvas-testdata,
# testdata/http/api/v1/courses/110000000/users?include[]=enrollments&per_page=95_GET); the
# recorder strips created_at/updated_at, which Canvas also sends.
RECORDED_ENROLLMENT_KEYS = frozenset({
    "associated_user_id", "course_id", "course_integration_id", "course_section_id", "end_at",
    "enrollment_state", "html_url", "id", "last_attended_at",
    "limit_privileges_to_course_section", "role", "role_id", "root_account_id",
    "section_integration_id", "sis_account_id", "sis_course_id", "sis_section_id",
    "sis_user_id", "start_at", "type", "user_id"})


def test_enrollments_carry_canvas_keys_and_sis_ids(sandbox: SandboxServer) -> None:
    sandbox.state.t.sections[11].sis_id = "LAB-01"
    users = roster(sandbox, **{"include[]": "enrollments"})
    s01, teacher = users[student_id(1)], users[1100]
    enrollment = s01["enrollments"][0]  # type: ignore[index]
    assert RECORDED_ENROLLMENT_KEYS - set(enrollment) == set()
    assert (enrollment["sis_user_id"], enrollment["sis_course_id"],
            enrollment["sis_section_id"]) == ("20260001", "DEMO-101", "LAB-01")
    assert enrollment["html_url"] == f"{sandbox.base_url}/courses/101/users/{student_id(1)}"
    assert teacher["enrollments"][0]["sis_user_id"] is None  # type: ignore[index]


@pytest.mark.parametrize(("params", "body"), [
    ({"enrollment_type[]": "wizard"}, {"errors": [{"message": "Invalid enrollment type: wizard"}]}),
    ({"search_term": "a"}, {"errors": [{"field": "search_term", "code": "invalid",
                                        "message": "2 or more characters is required"}]}),
])
def test_roster_bad_requests(sandbox: SandboxServer, params: dict[str, str],
                             body: object) -> None:
    response = Api(sandbox).get("/courses/101/users", params=params)
    assert (response.status_code, response.json()) == (400, body)


def test_course_sections_listed_by_name_then_id(sandbox: SandboxServer) -> None:
    """SectionsController#index orders by name, then id; a section's SIS id is shown."""
    state = sandbox.state
    first = state.add_section(101, "Lab 00", sis_id="LAB-00")
    state.add_section(101, "Lab 01", id=5)  # same name as section 11, lower id
    sections = Api(sandbox).all_pages("/courses/101/sections", per_page=2)
    assert [(s["id"], s["name"], s["sis_section_id"]) for s in sections] == [
        (first.id, "Lab 00", "LAB-00"), (5, "Lab 01", None), (11, "Lab 01", None),
        (12, "Lab 02", None)]
    assert {s["course_id"] for s in sections} == {101}
    assert Api(sandbox).get("/courses/999/sections").status_code == 404
