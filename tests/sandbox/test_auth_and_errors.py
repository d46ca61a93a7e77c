"""Authentication and generic error bodies (groups.md §1.1)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from reconciler.sandbox import SandboxServer, routes_courses
from tests.sandbox.helpers import Api

UNAUTHENTICATED = {"status": "unauthenticated",
                   "errors": [{"message": "user authorization required"}]}
INVALID = {"errors": [{"message": "Invalid access token."}]}
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}


@pytest.mark.parametrize(("headers", "params", "status", "body"), [
    ({}, {}, 401, UNAUTHENTICATED),
    ({"Authorization": "Bearer nope"}, {}, 401, INVALID),
    ({"Authorization": "bearer sandbox-token"}, {}, 401, UNAUTHENTICATED),
    ({}, {"access_token": "sandbox-token"}, 200, None),
    ({"Authorization": "Bearer sandbox-token"}, {}, 200, None),
])
def test_authentication(sandbox: SandboxServer, headers: dict[str, str],
                        params: dict[str, str], status: int, body: Any) -> None:
    response = requests.get(f"{sandbox.base_url}/api/v1/courses/101", headers=headers,
                            params=params, timeout=10)
    assert response.status_code == status
    if body is not None:
        assert response.json() == body
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'


@pytest.mark.parametrize("path", ["/nothing/here", "/courses/999", "/groups/123456",
                                  "/courses/sis_course_id:NOPE"])
def test_generic_not_found(sandbox: SandboxServer, path: str) -> None:
    response = Api(sandbox).get(path)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_course_by_sis_id(sandbox: SandboxServer) -> None:
    assert Api(sandbox).ok("GET", "/courses/sis_course_id:DEMO-101")["id"] == 101


def test_unexpected_exception_is_canvas_500(sandbox: SandboxServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(routes_courses, "course_json", boom)
    response = Api(sandbox).get("/courses/101")
    assert response.status_code == 500
    body = response.json()
    assert body["errors"] == [{"message": "An error occurred.",
                               "error_code": "internal_server_error"}]
    assert isinstance(body["error_report_id"], int)


def test_json_bodies_are_accepted(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    created = api.ok("POST", "/courses/101/group_categories",
                     json={"name": "Json Set", "group_limit": 3, "self_signup": "enabled"})
    assert (created["group_limit"], created["self_signup"]) == (3, "enabled")
    group = api.ok("POST", f"/group_categories/{created['id']}/groups", json={"name": "J"})
    updated = api.ok("PUT", f"/groups/{group['id']}", json={"members": [1001, 1003]})
    assert {u["id"] for u in updated["users"]} == {1001, 1003}
