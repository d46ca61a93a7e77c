"""canvasapi 3.6.0, unmodified, drives the emulator: an independent client's view of it."""

from __future__ import annotations

import pytest
from canvasapi import Canvas
from canvasapi.exceptions import BadRequest, InvalidAccessToken, ResourceDoesNotExist

from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import DEMO_COURSE_ID, LAB_PAIR_GROUP_IDS

pytestmark = pytest.mark.filterwarnings("ignore:.*(http|HTTP).*:UserWarning")


@pytest.fixture
def canvas(sandbox: SandboxServer) -> Canvas:
    return Canvas(sandbox.base_url, "sandbox-token")


def test_courses_and_roster(canvas: Canvas) -> None:
    course = canvas.get_course(DEMO_COURSE_ID)
    assert course.name == "Demo Course (sandbox)"
    assert canvas.get_course("DEMO-101", use_sis_id=True).id == DEMO_COURSE_ID
    students = list(course.get_users(enrollment_type=["student"], per_page=7))
    assert len(students) == 37  # s01..s36 plus invited s37, followed across pages
    assert {s.login_id for s in students if hasattr(s, "login_id")} >= {"s01", "s36"}


def test_category_group_membership_lifecycle(canvas: Canvas) -> None:
    course = canvas.get_course(DEMO_COURSE_ID)
    category = course.create_group_category("Project Teams", group_limit=3)
    assert category.group_limit == 3 and category.groups_count == 0
    groups = [category.create_group(name=f"Team {n}") for n in range(1, 13)]
    assert groups[0].max_membership == 3
    listed = list(canvas.get_group_category(category.id).get_groups())
    assert [g.name for g in listed] == sorted(f"Team {n}" for n in range(1, 13))

    team1, team2 = groups[0], groups[1]
    edited = team1.edit(members=[1001, 1002])
    assert sorted(u["id"] for u in edited.users) == [1001, 1002]
    membership = team2.create_membership(1001)
    assert membership.just_created is True
    assert [m.user_id for m in team1.get_memberships()] == [1002]
    assert sorted(u.id for u in team2.get_users()) == [1001]

    team2.remove_user(1001)
    assert list(team2.get_memberships()) == []
    category.update(name="Renamed Teams")
    assert canvas.get_group_category(category.id).group_limit is None

    assert team1.delete().id == team1.id
    with pytest.raises(ResourceDoesNotExist):
        canvas.get_group(team1.id)
    deleted = category.delete()
    assert deleted["name"] == "Renamed Teams"
    assert "Renamed Teams" not in [c.name for c in course.get_group_categories()]


def test_course_groups_and_sis_lookup(canvas: Canvas) -> None:
    course = canvas.get_course(DEMO_COURSE_ID)
    pair1 = canvas.get_group(LAB_PAIR_GROUP_IDS["Pair 1"])
    pair1.edit(sis_group_id="PAIR-1")
    assert canvas.get_group("PAIR-1", use_sis_id=True).id == pair1.id
    groups = list(course.get_groups(include=["users"]))
    assert [g.name for g in groups] == ["Pair 1", "Pair 2", "Study Circle"]
    assert sorted(u["id"] for u in groups[0].users) == [1001, 1002]


def test_errors_map_to_canvasapi_exceptions(sandbox: SandboxServer, canvas: Canvas) -> None:
    course = canvas.get_course(DEMO_COURSE_ID)
    with pytest.raises(BadRequest):
        course.create_group_category("Lab Pairs")
    with pytest.raises(InvalidAccessToken):
        Canvas(sandbox.base_url, "wrong").get_course(DEMO_COURSE_ID)
