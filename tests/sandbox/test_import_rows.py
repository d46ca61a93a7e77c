"""What an import's rows do (Q-CSV-IMPORT-ROWS, Q-CSV-PARSE, Q-ONE-GROUP, Q-AUTO-LEADER;
docs/canvas-quirks.md). Each test posts one file to the demo's "Lab Pairs" (Pair 1 =
s01+s02, Pair 2 = s03+s04) unless it says otherwise, and lets the job end."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from reconciler.sandbox import ManualClock, SandboxServer, seed_demo_state
from reconciler.sandbox.seed import (
    LAB_PAIR_GROUP_IDS,
    LAB_PAIRS_CATEGORY_ID,
    STUDENT_GROUPS_CATEGORY_ID,
    STUDY_CIRCLE_GROUP_ID,
    TA_ID,
    TEACHER_ID,
    TEST_STUDENT_ID,
)
from tests.conftest import SandboxFactory
from tests.sandbox.helpers import Api, post_csv, progress

PAIRS = LAB_PAIRS_CATEGORY_ID
PAIR1, PAIR2 = LAB_PAIR_GROUP_IDS["Pair 1"], LAB_PAIR_GROUP_IDS["Pair 2"]


class Importer:
    def __init__(self, server: SandboxServer, clock: ManualClock) -> None:
        self.server, self.state, self.clock, self.api = server, server.state, clock, Api(server)

    def run(self, text: str, category_id: int = PAIRS, state: str = "completed"
            ) -> dict[str, Any]:
        """Post, let the job end, and return the message (decoded when it is JSON)."""
        response = post_csv(self.api, category_id, text)
        assert response.status_code == 200, response.text
        self.clock.advance(self.state.import_config.duration_s)
        body = progress(self.api, response.json()["id"])
        assert body["workflow_state"] == state, body
        message: str = body["message"]
        return json.loads(message) if message.startswith("{") else {"text": message}

    def members(self, category_id: int = PAIRS) -> dict[str, set[int]]:
        return self.state.members_by_group(category_id)


@pytest.fixture
def imp(sandbox_factory: SandboxFactory) -> Importer:
    clock = ManualClock()
    return Importer(sandbox_factory(state=seed_demo_state(clock)), clock)


def test_a_row_moves_a_user_into_a_new_membership(imp: Importer) -> None:
    old = {m.user_id: m.id for m in imp.state.memberships(PAIR2)}
    result = imp.run("canvas_user_id,canvas_group_id\n1001,603\n1003,603\n")
    assert result == {"type": "import_groups", "groups": 1, "users": 2, "error": None}
    assert imp.members() == {"Pair 1": {1002}, "Pair 2": {1001, 1003, 1004}}
    new = {m.user_id: m.id for m in imp.state.memberships(PAIR2)}
    assert new[1004] == old[1004] and new[1003] != old[1003]  # re-imported: a new row
    assert all(m.workflow_state == "accepted" for m in imp.state.memberships(PAIR2))


def test_first_accepted_row_per_user_wins_and_later_groups_still_appear(imp: Importer) -> None:
    result = imp.run("login_id,group_name\ns05,Alpha\ns05,Beta\nS05,Pair 1\n")
    assert (result["users"], result["groups"]) == (1, 1)
    members = imp.members()
    assert (members["Alpha"], members["Beta"], members["Pair 1"]) == ({1005}, set(), {1001, 1002})


@pytest.mark.parametrize(("user", "accepted"), [
    pytest.param(TEACHER_ID, False, id="teacher"),
    pytest.param(TA_ID, False, id="TA"),
    pytest.param(TEST_STUDENT_ID, False, id="test student"),
    pytest.param(1038, False, id="completed student"),
    pytest.param(1201, False, id="student of another course"),
    pytest.param(99999, False, id="no such user"),
    pytest.param(1037, True, id="invited student"),
])
def test_only_the_courses_students_are_accepted(imp: Importer, user: int,
                                                accepted: bool) -> None:
    result = imp.run(f"canvas_user_id,group_name\n{user},Fresh\n")
    assert "Fresh" in imp.members()  # the group is resolved before the user
    assert imp.members()["Fresh"] == ({user} if accepted else set())
    assert (result["users"], result["groups"]) == ((1, 1) if accepted else (0, 0))


def test_inactive_and_pending_students(imp: Importer) -> None:
    imp.state.enroll(imp.state.add_user("Ina Ctive", id=3001).id, 101, state="inactive")
    imp.state.enroll(imp.state.add_user("Pen Ding", id=3002).id, 101,
                     state="creation_pending")
    imp.run("canvas_user_id,group_name\n3001,G\n3002,G\n")
    assert imp.members()["G"] == {3002}


def test_user_lookups_in_order(imp: Importer) -> None:
    """canvas_user_id, then SIS user_id, then login_id (any case); each must be a student."""
    imp.state.enroll(imp.state.add_user("Ann Lee", login_id="Ann.Lee", id=3001).id, 101)
    rows = ("canvas_user_id,user_id,login_id,group_name\n"
            ",,ann.LEE,G\n"  # a login stored in mixed case
            "1005,,,G\n"  # by id
            ",20260006,,G\n"  # by SIS id
            ",,S07,G\n"  # by login, case-insensitive
            f"{TEACHER_ID},20260008,,G\n"  # the id is no student: the SIS id is tried next
            ",2026000,s09x,G\n"  # no exact SIS id, no such login
            )
    imp.run(rows)
    assert imp.members()["G"] == {1005, 1006, 1007, 1008, 3001}


def test_headers_and_values_are_normalised(imp: Importer) -> None:
    imp.run("\ufeffCanvas_User_ID , GROUP_NAME\n 1010 , Pair 1 \n")  # " group_name" is unknown
    assert imp.members()["Pair 1"] == {1001, 1002}
    imp.run("\ufeffCanvas_User_ID,GROUP_NAME,login_id\n 1010 ,  Pair 1 ,\n,Pair 1,s11\n")
    assert imp.members()["Pair 1"] == {1001, 1002, 1010, 1011}


def test_rows_without_a_group_or_user_column_are_skipped(imp: Importer) -> None:
    assert imp.run("canvas_user_id\n1001\n")["users"] == 0
    assert imp.run("group_name\nLonely\n")["users"] == 0
    assert imp.members()["Lonely"] == set()
    assert imp.run("canvas_user_id,canvas_group_id\n1001,\n")["users"] == 0
    assert imp.members()["Pair 1"] == {1001, 1002}


def test_a_deleted_group_is_restored_by_id_or_sis_id_but_not_by_name(imp: Importer) -> None:
    state = imp.state
    by_id = state.create_group(PAIRS, "Old A", workflow_state="deleted",
                               deleted_at="2026-01-01T00:00:00Z")
    by_sis = state.create_group(PAIRS, "Old B", sis_id="GRP-B", workflow_state="deleted")
    by_name = state.create_group(PAIRS, "Old C", workflow_state="deleted")
    imp.run("canvas_user_id,canvas_group_id,group_id,group_name\n"
            f"1010,{by_id.id},,\n1011,,GRP-B,\n1012,,,Old C\n")
    assert by_id.active and by_sis.active and not by_name.active
    assert by_id.deleted_at == "2026-01-01T00:00:00Z"  # restore_group leaves it
    members = imp.members()
    assert (members["Old A"], members["Old B"], members["Old C"]) == ({1010}, {1011}, {1012})
    assert [g.id for g in state.groups(PAIRS) if g.name == "Old C"] != [by_name.id]


def test_group_ids_are_looked_up_in_this_category_only(imp: Importer) -> None:
    result = imp.run(f"canvas_user_id,canvas_group_id\n1010,{STUDY_CIRCLE_GROUP_ID}\n"
                     "1011,999999\n")
    assert result["users"] == 0
    assert 1010 not in imp.state.member_ids(STUDY_CIRCLE_GROUP_ID)


def test_an_unknown_group_id_falls_back_to_the_name(imp: Importer) -> None:
    imp.run("canvas_user_id,canvas_group_id,group_id,group_name\n1010,999999,NEW-SIS,Pair 1\n"
            "1011,,NEW-SIS,Brand New\n")
    assert imp.members()["Pair 1"] == {1001, 1002, 1010}
    created = imp.state.group_by_name(PAIRS, "Brand New")
    assert created is not None and created.sis_id is None  # created by name: no SIS id


def test_created_groups_inherit_the_limit_which_the_import_ignores(imp: Importer) -> None:
    category = imp.state.t.categories[PAIRS]
    category.group_limit = 2
    imp.run("canvas_user_id,group_name\n1010,Big\n1011,Big\n1012,Big\n1013,Pair 1\n")
    big = imp.state.group_by_name(PAIRS, "Big")
    assert big is not None
    assert (big.max_membership, big.join_level, big.is_public) == (2, "invitation_only", False)
    assert imp.members()["Big"] == {1010, 1011, 1012}
    assert imp.members()["Pair 1"] == {1001, 1002, 1013}  # an existing group over its limit


def test_no_section_rule_for_imported_members(imp: Importer) -> None:
    imp.state.t.categories[PAIRS].self_signup = "restricted"
    imp.run("canvas_user_id,group_name\n1001,Pair 2\n1002,Pair 2\n")  # Lab 01 and Lab 02
    assert imp.members()["Pair 2"] == {1001, 1002, 1003, 1004}


def test_auto_leader_repicks_in_the_old_group_but_not_for_new_members(imp: Importer) -> None:
    state = imp.state
    state.t.categories[PAIRS].auto_leader = "first"
    state.t.groups[PAIR1].leader_id = 1001
    imp.run("canvas_user_id,group_name\n1001,Pair 2\n1010,Fresh\n")
    assert state.t.groups[PAIR1].leader_id == 1002  # 1001 left: a leader is re-picked
    assert state.t.groups[PAIR2].leader_id is None
    assert state.group_by_name(PAIRS, "Fresh").leader_id is None  # type: ignore[union-attr]


def test_the_whole_category_is_left_even_where_many_groups_are_allowed(imp: Importer) -> None:
    """student_organized allows several memberships, but the import still clears them."""
    state = imp.state
    reading = state.create_group(STUDENT_GROUPS_CATEGORY_ID, "Reading Club")
    state.add_membership(reading.id, 1005)
    imp.run("canvas_user_id,group_name\n1005,Chess Club\n", STUDENT_GROUPS_CATEGORY_ID)
    assert imp.members(STUDENT_GROUPS_CATEGORY_ID) == {
        "Chess Club": {1005}, "Reading Club": set(), "Study Circle": {1006}}


def test_absent_users_and_groups_are_kept(imp: Importer) -> None:
    imp.run("canvas_user_id,group_name\n1001,Solo\n")
    assert imp.members() == {"Pair 1": {1002}, "Pair 2": {1003, 1004}, "Solo": {1001}}


def test_inserts_are_batched_every_thousand_rows(imp: Importer) -> None:
    """`groups` sums each batch's groups: one group on both sides of row 1000 counts twice."""
    state = imp.state
    ids = []
    for n in range(1002):
        user = state.add_user(f"Bulk {n}", id=20000 + n)
        state.enroll(user.id, 101)
        ids.append(user.id)
    result = imp.run("canvas_user_id,group_name\n" + "".join(f"{i},Bulk\n" for i in ids))
    assert (result["users"], result["groups"]) == (1002, 2)
    assert len(imp.members()["Bulk"]) == 1002


def test_a_crash_mid_import_keeps_what_was_done(imp: Importer) -> None:
    """A group name Canvas refuses (over 255 characters) kills the job after the earlier
    rows' memberships were deleted, before they were inserted."""
    result = imp.run(f"canvas_user_id,group_name\n1001,Pair 2\n1010,{'x' * 256}\n",
                     state="failed")
    assert re.fullmatch(r"Unexpected error, ID: \d+", result["text"])
    assert imp.members() == {"Pair 1": {1002}, "Pair 2": {1003, 1004}}  # 1001 is lost
    event = imp.state.write_log[-1]
    assert (event.kind, event.status, event.added, event.moved_out) == (
        "import_group_category", 500, [], [[PAIR1, 1001]])
