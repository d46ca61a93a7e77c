"""A section-limited caller (Canvas's "limit privileges to their section") sees only its
sections' students, in groups and in the roster; its own enrollments say so."""

from __future__ import annotations

from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import LAB_PAIR_GROUP_IDS, TA_ID, TA_TOKEN, student_id

from .helpers import Api


def test_the_callers_own_enrollments_carry_the_limit(sandbox: SandboxServer) -> None:
    ta = Api(sandbox, TA_TOKEN)
    [enrollment] = ta.ok("GET", "/courses/101/enrollments", params={"user_id": "self"})
    assert (enrollment["user_id"], enrollment["type"]) == (TA_ID, "TaEnrollment")
    assert enrollment["limit_privileges_to_course_section"] is True
    teacher = Api(sandbox)  # the server's own token belongs to no course
    assert teacher.ok("GET", "/courses/101/enrollments", params={"user_id": "self"}) == []
    mine = teacher.ok("GET", "/courses/101/enrollments", params={"user_id": str(TA_ID)})
    assert [e["id"] for e in mine] == [enrollment["id"]]


def test_a_limited_caller_sees_only_its_sections_students_in_a_group(
        sandbox: SandboxServer) -> None:
    """Pair 1 is s01 (Lab 01) and s02 (Lab 02); the TA is limited to Lab 02."""
    pair = LAB_PAIR_GROUP_IDS["Pair 1"]
    full = Api(sandbox).ok("GET", f"/groups/{pair}", params={"include[]": "users"})
    part = Api(sandbox, TA_TOKEN).ok("GET", f"/groups/{pair}", params={"include[]": "users"})
    assert {u["id"] for u in full["users"]} == {student_id(1), student_id(2)}
    assert [u["id"] for u in part["users"]] == [student_id(2)]
    assert (full["members_count"], part["members_count"]) == (2, 1)
    listed = Api(sandbox, TA_TOKEN).ok("GET", "/courses/101/groups",
                                       params={"include[]": "users", "per_page": 100})
    assert [u["id"] for g in listed if g["id"] == pair for u in g["users"]] == [student_id(2)]


def test_a_limited_caller_sees_only_its_sections_in_the_roster(sandbox: SandboxServer) -> None:
    users = Api(sandbox, TA_TOKEN).all_pages("/courses/101/users", per_page=100)
    assert student_id(2) in {u["id"] for u in users}
    assert student_id(1) not in {u["id"] for u in users}


def test_a_members_write_from_a_limited_caller_removes_the_members_it_cannot_see(
        sandbox: SandboxServer) -> None:
    """Why reconciler refuses such a token: Canvas replaces every membership."""
    pair = LAB_PAIR_GROUP_IDS["Pair 1"]
    Api(sandbox, TA_TOKEN).ok("PUT", f"/groups/{pair}",
                              data={"members[]": [student_id(2), student_id(4)]})
    assert sandbox.state.member_ids(pair) == {student_id(2), student_id(4)}


def test_has_submission_is_what_canvas_holds(sandbox: SandboxServer) -> None:
    pair = LAB_PAIR_GROUP_IDS["Pair 2"]
    assert Api(sandbox).ok("GET", f"/groups/{pair}")["has_submission"] is False
    sandbox.state.t.groups[pair].has_submission = True
    assert Api(sandbox).ok("GET", f"/groups/{pair}")["has_submission"] is True
