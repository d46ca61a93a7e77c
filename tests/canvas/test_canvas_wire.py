"""The wire tables: Canvas JSON -> model fields (malformed rows refused by name), and
settings / changes -> form bodies (what a PUT resets when left out is sent again)."""

from __future__ import annotations

from typing import Any

import pytest
from canvas_fakes import FakeAPI

from reconciler.canvas import fetch_state, wire
from reconciler.errors import StateError

CATEGORY = {"id": 5, "name": "Teams", "self_signup": "enabled", "auto_leader": None,
            "group_limit": 4, "sis_group_category_id": "T-1", "role": None}
GROUP = {"id": 9, "name": "Team 1", "description": None, "max_membership": 4,
         "join_level": "invitation_only", "sis_group_id": None, "group_category_id": 5}


def test_reading_a_category_and_a_group() -> None:
    assert wire.GROUP_SET.read(CATEGORY) == {
        "canvas_id": 5, "name": "Teams", "self_signup": "enabled", "auto_leader": None,
        "group_limit": 4, "sis_id": "T-1"}
    assert wire.GROUP.read({**GROUP, "join_level": "some_future_level"})["join_level"] is None


@pytest.mark.parametrize(("table", "row", "message"), [
    (wire.GROUP_SET, {**CATEGORY, "id": "5"}, "a group set without a numeric id: keys "),
    (wire.GROUP_SET, [], "a group set without a numeric id: a JSON list"),
    (wire.GROUP_SET, {**CATEGORY, "name": None}, "group set id 5 without a name"),
    (wire.GROUP_SET, {**CATEGORY, "group_limit": "4"}, "group set 'Teams' (id 5) with a "
                                                       "non-numeric limit '4'"),
    (wire.GROUP_SET, {**CATEGORY, "self_signup": "sometimes"},
     "with 'sometimes', which reconciler does not know"),
    (wire.GROUP, {**GROUP, "description": 7}, "group 'Team 1' (id 9) with a non-text value"),
    (wire.GROUP, {**GROUP, "max_membership": True}, "non-numeric limit True"),
])
def test_malformed_rows_are_state_errors_naming_the_object(table: wire.Table, row: Any,
                                                           message: str) -> None:
    with pytest.raises(StateError, match=r"^Canvas returned ") as caught:
        table.read(row)
    assert message in caught.value.message


def test_a_malformed_row_never_shows_its_values() -> None:
    with pytest.raises(StateError) as caught:
        wire.GROUP.read({"name": "x", "users": [{"name": "Quilla Thistlewood"}]})
    assert "Quilla" not in caught.value.message and "keys name, users" in caught.value.message


def test_create_form_omits_unset_settings() -> None:
    assert wire.GROUP_SET.create_form("P", {"name": "P", "group_limit": 3, "auto_leader": None,
                                            "sis_id": "S"}) == [
        ("name", "P"), ("group_limit", 3), ("sis_group_category_id", "S")]


def test_update_form_resends_what_a_category_put_resets() -> None:
    current = {"name": "P", "self_signup": "enabled", "auto_leader": "first",
               "group_limit": 3, "sis_id": "S"}
    assert wire.GROUP_SET.update_form({"auto_leader": None}, current) == [
        ("self_signup", "enabled"), ("auto_leader", ""), ("group_limit", 3)]
    assert wire.GROUP.update_form({"description": None}, {}) == [("description", "")]
    assert wire.GROUP.update_form({}, {"description": "kept"}) == []


def test_unknown_settings_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unsupported group setting"):
        wire.GROUP.update_form({"colour": "red"}, {})


@pytest.mark.parametrize(("rows", "key", "ids"), [
    ([{"id": 1}, {"id": 2}], "id", {1, 2}), ([{"user_id": 3}], "user_id", {3}), ([], "id", set()),
])
def test_user_ids(rows: list[Any], key: str, ids: set[int]) -> None:
    assert wire.user_ids(rows, "group 'G'", key) == ids


def test_user_ids_refuse_a_member_without_an_id() -> None:
    with pytest.raises(StateError, match="group 'G' with a member that has no user id"):
        wire.user_ids([{"name": "Someone"}], "group 'G'")


def test_leader_and_member_forms() -> None:
    assert wire.leader_id({"leader": {"id": 7, "display_name": "x"}}) == 7
    assert wire.leader_id({"leader": None}) is None
    assert wire.members_form({3, 1}) == [("members[]", 1), ("members[]", 3)]
    assert wire.members_form(set()) == [("members[]", "")]
    assert wire.leader_form(None) == [("leader", "")]


def test_fetch_refuses_a_malformed_group_row_with_a_state_error() -> None:
    api = FakeAPI(script={
        ("GET", "/api/v1/courses/1/group_categories"): [[CATEGORY]],
        ("GET", "/api/v1/courses/1/groups"): [[{**GROUP, "users": [{"login": "x"}]}]]})
    with pytest.raises(StateError, match="group 'Team 1' \\(id 9\\) with a member that has "
                                         "no user id"):
        fetch_state(api, 1)


def test_a_blank_sis_id_is_no_sis_id_and_submissions_are_read() -> None:
    assert wire.GROUP.read({**GROUP, "sis_group_id": ""})["sis_id"] is None
    assert wire.GROUP_SET.read({**CATEGORY, "sis_group_category_id": ""})["sis_id"] is None
    assert wire.has_submission({"has_submission": True})
    assert not wire.has_submission({"has_submission": "yes"}) and not wire.has_submission({})


def test_a_caller_is_section_limited_when_any_of_its_enrollments_says_so() -> None:
    limited = {"type": "TaEnrollment", "limit_privileges_to_course_section": True}
    assert wire.section_limited([{"type": "TeacherEnrollment"}, limited])
    assert not wire.section_limited([{"limit_privileges_to_course_section": False}])
    assert not wire.section_limited([]) and not wire.section_limited(None)
