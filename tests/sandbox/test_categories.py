"""Group categories: validation bodies, PUT resets, soft delete, protection, SIS ids
(groups.md §3.1, §4.5, §4.6, §4.8)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import LAB_PAIRS_CATEGORY_ID, STUDENT_GROUPS_CATEGORY_ID
from tests.sandbox.helpers import Api


def error(attr: str, message: str) -> dict[str, Any]:
    return {"errors": {attr: [{"attribute": attr, "type": message, "message": message}]}}


@pytest.mark.parametrize(("data", "body"), [
    ({"name": ""}, error("name", "Name is required")),
    ({}, error("name", "Name is required")),
    ({"name": "Lab Pairs"}, error("name", "Lab Pairs is already in use.")),
    ({"name": "Student Groups"}, error("name", "Student Groups is a reserved name.")),
    ({"name": "x" * 256}, error("name", "Enter a shorter category name")),
    ({"name": "x" * 254, "create_group_count": "10"},
     error("name", "Enter a shorter category name")),
    ({"name": "Ok", "group_limit": "1"}, error("group_limit", "Must be greater than 1")),
])
def test_create_validation(sandbox: SandboxServer, data: dict[str, str],
                           body: dict[str, Any]) -> None:
    response = Api(sandbox).post("/courses/101/group_categories", data=data)
    assert (response.status_code, response.json()) == (400, body)


@pytest.mark.parametrize(("data", "expected"), [
    ({"self_signup": "bogus", "auto_leader": "boss"}, (None, None)),
    ({"self_signup": "enabled", "auto_leader": "random"}, ("enabled", "random")),
    ({"enable_self_signup": "1", "restrict_self_signup": "1"}, ("restricted", None)),
])
def test_setting_coercion(sandbox: SandboxServer, data: dict[str, str],
                          expected: tuple[str | None, str | None]) -> None:
    body = Api(sandbox).ok("POST", "/courses/101/group_categories", data={"name": "S", **data})
    assert (body["self_signup"], body["auto_leader"]) == expected
    assert {"groups_count", "unassigned_users_count"} <= set(body)


def test_put_resets_omitted_settings_and_group_limits(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    created = api.ok("POST", "/courses/101/group_categories",
                     data={"name": "Teams", "self_signup": "enabled", "auto_leader": "first",
                           "group_limit": "4", "create_group_count": "2"})
    path = f"/group_categories/{created['id']}"
    assert {g["max_membership"] for g in api.ok("GET", f"{path}/groups")} == {4}
    updated = api.ok("PUT", path, data={"name": "Renamed Teams"})
    assert (updated["name"], updated["self_signup"], updated["auto_leader"],
            updated["group_limit"]) == ("Renamed Teams", None, None, None)
    assert {g["max_membership"] for g in api.ok("GET", f"{path}/groups")} == {None}
    kept = api.ok("PUT", path, data={"group_limit": "3"})
    assert (kept["name"], kept["group_limit"]) == ("Renamed Teams", 3)


def test_delete_is_soft_and_frees_the_name(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    deleted = api.ok("DELETE", f"/group_categories/{LAB_PAIRS_CATEGORY_ID}")
    assert deleted["name"] == "Lab Pairs"
    for path in (f"/group_categories/{LAB_PAIRS_CATEGORY_ID}",
                 f"/group_categories/{LAB_PAIRS_CATEGORY_ID}/groups"):
        response = api.get(path)
        assert (response.status_code, response.json()) == (404, {"status": "not found"})
    assert api.get("/groups/602").status_code == 404
    names = [c["name"] for c in api.ok("GET", "/courses/101/group_categories")]
    assert names == ["Student Groups"]
    assert api.ok("POST", "/courses/101/group_categories", data={"name": "Lab Pairs"})
    assert sandbox.state.t.categories[LAB_PAIRS_CATEGORY_ID].deleted_at is not None


def test_protected_category_refuses_delete(sandbox: SandboxServer) -> None:
    response = Api(sandbox).delete(f"/group_categories/{STUDENT_GROUPS_CATEGORY_ID}")
    assert (response.status_code, response.json()) == (401, {"status": "unauthorized"})


def test_sis_category_id(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    body = api.ok("POST", "/courses/101/group_categories",
                  data={"name": "Sis Set", "sis_group_category_id": "GC-1"})
    assert body["sis_group_category_id"] == "GC-1"
    assert api.ok("GET", "/group_categories/sis_group_category_id:GC-1")["id"] == body["id"]
    groups = api.get("/group_categories/sis_group_category_id:GC-1/groups")
    assert groups.status_code == 200
    duplicate = api.post("/courses/101/group_categories",
                         data={"name": "Other", "sis_group_category_id": "GC-1"})
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"]["sis_source_id"][0]["type"] == "taken"


def test_list_includes_and_collaboration_state(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    listed = api.ok("GET", "/courses/101/group_categories",
                    params={"includes[]": ["groups_count", "unassigned_users_count"]})
    assert [(c["name"], c["protected"], c["groups_count"]) for c in listed] == [
        ("Student Groups", True, 1), ("Lab Pairs", False, 2)]
    assert listed[1]["unassigned_users_count"] == 33
    bad = api.get("/courses/101/group_categories", params={"collaboration_state": "nope"})
    assert (bad.status_code, bad.json()) == (400, {"error": "Invalid collaboration_state: nope"})
