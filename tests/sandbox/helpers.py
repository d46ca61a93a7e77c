"""A tiny HTTP client for talking to the emulator in tests."""

from __future__ import annotations

from typing import Any

import requests

from reconciler.sandbox import SandboxServer


class Api:
    def __init__(self, server: SandboxServer, token: str | None = "sandbox-token") -> None:
        self.root = f"{server.base_url}/api/v1"
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.root + path, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def all_pages(self, path: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        response = self.get(path, params=params)
        while True:
            assert response.status_code == 200, response.text
            items.extend(response.json())
            if "next" not in response.links:
                return items
            response = self.session.get(response.links["next"]["url"], timeout=10)


def member_ids(api: Api, group_id: int) -> set[int]:
    return {m["user_id"] for m in api.all_pages(f"/groups/{group_id}/memberships")}


def post_csv(api: Api, category_id: int, data: str | bytes,
             content_type: str = "text/csv", **kwargs: Any) -> requests.Response:
    """A raw-body import (`Content-Type: text/csv`)."""
    body = data.encode() if isinstance(data, str) else data
    return api.post(f"/group_categories/{category_id}/import", data=body,
                    headers={"Content-Type": content_type}, **kwargs)


def progress(api: Api, progress_id: int) -> dict[str, Any]:
    body: dict[str, Any] = api.ok("GET", f"/progress/{progress_id}")
    return body
