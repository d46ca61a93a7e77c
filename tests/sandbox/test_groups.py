"""Groups and memberships: one group per set, PUT members[] replacement, leaders, limits,
soft deletes and SIS addressing (groups.md §4)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.sandbox import SandboxServer
from reconciler.sandbox.errors import NOT_FOUND
from reconciler.sandbox.seed import LAB_PAIR_GROUP_IDS, STUDY_CIRCLE_GROUP_ID
from tests.sandbox.helpers import Api, member_ids

PAIR1, PAIR2 = LAB_PAIR_GROUP_IDS["Pair 1"], LAB_PAIR_GROUP_IDS["Pair 2"]
FULL = {"errors": {"group_id": [{"attribute": "group_id", "type": "The group is full.",
                                 "message": "The group is full."}]}}


def new_set(api: Api, **data: Any) -> tuple[int, list[int]]:
    category = api.ok("POST", "/courses/101/group_categories",
                      data={"name": "Teams", "create_group_count": "3", **data})
    groups = api.ok("GET", f"/group_categories/{category['id']}/groups")
    return category["id"], [g["id"] for g in groups]


def test_post_membership_moves_user_within_the_set(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    old = next(m for m in api.ok("GET", f"/groups/{PAIR1}/memberships") if m["user_id"] == 1001)
    created = api.ok("POST", f"/groups/{PAIR2}/memberships", data={"user_id": "1001"})
    assert created["just_created"] is True and created["workflow_state"] == "accepted"
    assert member_ids(api, PAIR1) == {1002}
    assert member_ids(api, PAIR2) == {1001, 1003, 1004}
    again = api.ok("POST", f"/groups/{PAIR2}/memberships", data={"user_id": "1001"})
    assert (again["id"], again["just_created"]) == (created["id"], False)
    back = api.ok("POST", f"/groups/{PAIR1}/memberships", data={"user_id": "sis_user_id:20260001"})
    assert back["id"] not in (old["id"], created["id"])  # re-adding makes a new row


def test_student_organized_allows_many_memberships(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    api.ok("POST", f"/groups/{STUDY_CIRCLE_GROUP_ID}/memberships", data={"user_id": "1001"})
    assert 1001 in member_ids(api, STUDY_CIRCLE_GROUP_ID) and 1001 in member_ids(api, PAIR1)


@pytest.mark.parametrize(("members", "expected"), [
    ([("members[]", "1005"), ("members[]", "1006")], {1005, 1006}),
    ([("members[]", "1001"), ("members[]", "1007")], {1001, 1007}),
    ([("members[]", "")], set()),  # a lone empty value means [0]: remove everyone
    ([("members", "1008,1009")], {1008, 1009}),
    ([("members[]", "1005"), ("members[]", "999999"), ("members[]", "sis_user_id:x"),
      ("members[]", "1201")], {1005}),  # unknown, SIS-style and other-course ids dropped
    ([("name", "Renamed")], {1001, 1002}),  # members omitted: untouched
])
def test_put_members_replaces(sandbox: SandboxServer, members: list[tuple[str, str]],
                              expected: set[int]) -> None:
    api = Api(sandbox)
    body = api.ok("PUT", f"/groups/{PAIR1}", data=members)
    assert {u["id"] for u in body["users"]} == expected
    assert member_ids(api, PAIR1) == expected
    assert {"users", "group_category", "permissions"} <= set(body)


def test_put_members_moves_and_drops_when_full(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    _, (g1, g2, _g3) = new_set(api, group_limit="2")
    api.ok("PUT", f"/groups/{g1}", data=[("members[]", "1001"), ("members[]", "1002")])
    body = api.ok("PUT", f"/groups/{g2}", data=[("members[]", u) for u in ("1001", "1003", "1004")])
    assert {u["id"] for u in body["users"]} == {1001, 1003}  # 1004 silently dropped: full
    assert member_ids(api, g1) == {1002}
    response = api.post(f"/groups/{g2}/memberships", data={"user_id": "1005"})
    assert (response.status_code, response.json()) == (400, FULL)


def test_every_group_save_inherits_the_category_limit(sandbox: SandboxServer) -> None:
    """G `update_max_membership_from_group_category` runs on every save (groups.md §4.2)."""
    api = Api(sandbox)
    _, (g1, g2, _g3) = new_set(api, group_limit="3")
    assert api.ok("GET", f"/groups/{g1}")["max_membership"] == 3
    assert api.ok("PUT", f"/groups/{g1}", data={"max_membership": "5"})["max_membership"] == 5
    cleared = api.ok("PUT", f"/groups/{g1}", json={"max_membership": None})
    assert cleared["max_membership"] == 3  # cleared, then refilled on save
    assert api.ok("PUT", f"/groups/{g2}", data={"max_membership": ""})["max_membership"] == 3
    # no category limit: clearing sticks
    assert api.ok("PUT", f"/groups/{PAIR1}", json={"max_membership": None}
                  )["max_membership"] is None


def test_move_skips_deleted_groups_and_other_sets(sandbox: SandboxServer) -> None:
    """The one-group-per-set move (via the user index) touches only active groups of the
    same set, in group-name order, exactly as a walk over the set's groups did."""
    state = sandbox.state
    category = state.create_category(101, "Indexed")
    b, a, gone = (state.create_group(category.id, n) for n in ("B", "A", "Gone"))
    for group in (b, a, gone):
        state.add_membership(group.id, 1020)
    gone.workflow_state = "deleted"
    api = Api(sandbox)
    target = api.ok("POST", f"/groups/{PAIR1}/memberships", data={"user_id": "1020"})
    assert target["just_created"] is True
    assert {m.group_id for m in state.user_memberships(1020)} == {PAIR1, a.id, b.id, gone.id}
    api.ok("POST", f"/groups/{state.create_group(category.id, 'C').id}/memberships",
           data={"user_id": "1020"})
    assert state.write_log[-1].moved_out == [[a.id, 1020], [b.id, 1020]]
    assert state.member_ids(gone.id) == {1020}  # a deleted group's rows are left alone


def test_leader_rules(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    response = api.put(f"/groups/{PAIR1}", data={"leader[id]": "1005"})
    assert (response.status_code, response.json()) == (400, {})
    body = api.ok("PUT", f"/groups/{PAIR1}", data={"leader[id]": "1002"})
    assert body["leader"]["id"] == 1002
    body = api.ok("PUT", f"/groups/{PAIR1}", data=[("members[]", "1001")])
    assert body["leader"] is None  # removed members lose leadership


def test_auto_leader_first(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    _, (g1, *_rest) = new_set(api, auto_leader="first")
    body = api.ok("PUT", f"/groups/{g1}", data=[("members[]", "1010"), ("members[]", "1011")])
    assert body["leader"]["id"] == 1010


def test_restricted_self_signup_drops_other_sections(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    _, (g1, *_rest) = new_set(api, self_signup="restricted")
    # odd students are in Lab 01, even ones in Lab 02
    body = api.ok("PUT", f"/groups/{g1}", data=[("members[]", u) for u in ("1001", "1002", "1003")])
    assert {u["id"] for u in body["users"]} == {1001, 1003}


def test_group_soft_delete_and_sis_addressing(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    category_id, (g1, *_rest) = new_set(api)
    api.ok("PUT", f"/groups/{g1}", data={"sis_group_id": "G-1"})
    assert api.ok("GET", "/groups/sis_group_id:G-1")["id"] == g1
    duplicate = api.post(f"/group_categories/{category_id}/groups",
                         data={"name": "Dup", "sis_group_id": "G-1"})
    assert duplicate.status_code == 400
    assert list(duplicate.json()["errors"]) == ["sis_source_id"]
    deleted = api.ok("DELETE", f"/groups/{g1}")
    assert deleted["id"] == g1
    assert api.get(f"/groups/{g1}").status_code == 404
    assert api.get(f"/groups/{g1}/memberships").status_code == 404
    assert g1 not in {g["id"] for g in api.ok("GET", f"/group_categories/{category_id}/groups")}


def test_group_names_are_not_unique_and_ordered(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    category_id, _ = new_set(api)
    for name in ("Alpha", "Alpha"):
        api.ok("POST", f"/group_categories/{category_id}/groups", data={"name": name})
    names = [g["name"] for g in api.ok("GET", f"/group_categories/{category_id}/groups")]
    assert names == ["Alpha", "Alpha", "Team 1", "Team 2", "Team 3"]


def test_group_validation(sandbox: SandboxServer) -> None:
    response = Api(sandbox).post("/group_categories/502/groups", data={"name": ""})
    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["message"] == "Name is required"


def test_course_groups_are_never_public(sandbox: SandboxServer) -> None:
    """G `ensure_defaults` saves is_public false unless the category is `communities`, so a
    course group stays private whatever is sent, and true→false never comes up for it."""
    api = Api(sandbox)
    created = api.ok("POST", "/group_categories/502/groups",
                     data={"name": "Open", "is_public": "true"})
    assert created["is_public"] is False
    for value in ("true", "false", "true"):
        assert api.ok("PUT", f"/groups/{created['id']}",
                      data={"is_public": value})["is_public"] is False
    assert api.ok("GET", f"/groups/{created['id']}")["is_public"] is False


def test_community_groups_may_only_go_public(sandbox: SandboxServer) -> None:
    """`validates_allowed_transitions :is_public, false => true`, reachable only where
    is_public can be true: in a communities category."""
    category = sandbox.state.create_category(101, "Communities", role="communities")
    api = Api(sandbox)
    group = api.ok("POST", f"/group_categories/{category.id}/groups",
                   data={"name": "Open", "is_public": "true"})
    assert group["is_public"] is True
    response = api.put(f"/groups/{group['id']}", data={"is_public": "false"})
    message = "cannot be changed to that value"
    assert (response.status_code, response.json()) == (400, {"errors": {"is_public": [
        {"attribute": "is_public", "type": message, "message": message}]}})
    assert api.ok("GET", f"/groups/{group['id']}")["is_public"] is True


def test_group_create_in_unknown_or_deleted_category_is_a_404(sandbox: SandboxServer) -> None:
    """GroupsController#create looks the category up with api_find(GroupCategory.active, id):
    a miss raises RecordNotFound, rendered as the generic 404 (groups.md §1.1)."""
    api = Api(sandbox)
    category_id, _ = new_set(api)
    api.ok("DELETE", f"/group_categories/{category_id}")
    for ref in ("99999", str(category_id), "sis_group_category_id:nope"):
        response = api.post(f"/group_categories/{ref}/groups", data={"name": "x"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND), ref
    assert sandbox.state.write_log[-1].status == 404


@pytest.mark.parametrize("path", [f"/groups/{PAIR1}/users/1001",
                                  f"/groups/{PAIR1}/users/sis_user_id:20260001"])
def test_membership_delete_by_user(sandbox: SandboxServer, path: str) -> None:
    api = Api(sandbox)
    assert api.ok("DELETE", path) == {"ok": True}
    assert member_ids(api, PAIR1) == {1002}
    assert api.delete(path).status_code == 404


def test_membership_by_id_and_course_groups_inline_users(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    membership = api.ok("GET", f"/groups/{PAIR2}/memberships")[0]
    path = f"/groups/{PAIR2}/memberships/{membership['id']}"
    assert api.ok("PUT", path, data={"moderator": "true"})["moderator"] is True
    assert api.ok("DELETE", path) == {"ok": True}
    groups = api.ok("GET", "/courses/101/groups", params={"include[]": "users"})
    assert [g["name"] for g in groups] == ["Pair 1", "Pair 2", "Study Circle"]
    assert [len(g["users"]) for g in groups] == [2, 1, 2]


def test_category_users_unassigned(sandbox: SandboxServer) -> None:
    users = Api(sandbox).all_pages("/group_categories/502/users", unassigned="true")
    ids = {u["id"] for u in users}
    assert len(ids) == 37 - 4 and not ids & {1001, 1002, 1003, 1004}
