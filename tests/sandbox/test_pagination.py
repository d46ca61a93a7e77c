"""Pagination and Link headers (reference throttle-and-clients.md §2)."""

from __future__ import annotations

import pytest

from reconciler.sandbox import SandboxServer
from tests.sandbox.helpers import Api


def rels(link: str) -> list[str]:
    return [part.split('rel="')[1].rstrip('"') for part in link.split(",")]


@pytest.mark.parametrize(("per_page", "expected"), [
    (None, 10), ("5", 5), ("0", 1), ("-3", 1), ("500", 100), ("abc", 1),
])
def test_per_page_default_and_clamp(sandbox: SandboxServer, per_page: str | None,
                                    expected: int) -> None:
    params = {"enrollment_type[]": "student", "enrollment_state[]": "active"}
    if per_page is not None:
        params["per_page"] = per_page
    response = Api(sandbox).get("/courses/101/users", params=params)
    assert len(response.json()) == min(expected, 36)
    assert f"per_page={expected}>" in response.headers["Link"]


def test_link_header_format(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    category = api.ok("POST", "/courses/101/group_categories",
                      data={"name": "Teams", "create_group_count": "5"})
    response = api.get(f"/group_categories/{category['id']}/groups",
                       params={"per_page": 2, "page": 2, "include[]": "users",
                               "access_token": "sandbox-token"})
    link = response.headers["Link"]
    assert rels(link) == ["current", "next", "prev", "first", "last"]
    base = f"{sandbox.base_url}/api/v1/group_categories/{category['id']}/groups"
    assert link.startswith(f"<{base}?include%5B%5D=users&page=2&per_page=2>; rel=\"current\",<")
    assert "access_token" not in link and ", " not in link
    assert f"<{base}?include%5B%5D=users&page=3&per_page=2>; rel=\"last\"" in link


@pytest.mark.parametrize(("page", "expected_rels", "count"), [
    ("1", ["current", "next", "first", "last"], 10),
    ("4", ["current", "prev", "first", "last"], 6),
    ("9", ["current", "prev", "first", "last"], 0),
])
def test_pages_and_past_the_end(sandbox: SandboxServer, page: str, expected_rels: list[str],
                                count: int) -> None:
    api = Api(sandbox)
    category = api.ok("POST", "/courses/101/group_categories",
                      data={"name": "Many", "create_group_count": "36"})
    response = api.get(f"/group_categories/{category['id']}/groups", params={"page": page})
    assert response.status_code == 200
    assert len(response.json()) == count
    assert rels(response.headers["Link"]) == expected_rels


def test_users_endpoint_has_no_last_link_and_follows_next(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    response = api.get("/courses/101/users", params={"per_page": 7})
    assert "last" not in rels(response.headers["Link"])
    users = api.all_pages("/courses/101/users", per_page=7)
    logins = {u.get("login_id") for u in users}
    assert len(users) == 37 + 2  # 36 active + invited s37, teacher, TA
    assert {"s01", "s36", "t01", "ta01"} <= logins and "s38" not in logins


def test_link_uses_request_host_header(sandbox: SandboxServer) -> None:
    response = Api(sandbox).get("/courses", headers={"Host": "canvas.example.edu"})
    assert response.headers["Link"].startswith("<http://canvas.example.edu/api/v1/courses?page=1")
