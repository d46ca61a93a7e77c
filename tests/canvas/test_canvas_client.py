"""CanvasClient: URLs, headers, form encoding and Link pagination (responses-mocked)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from canvas_fakes import BASE, TOKEN, make_client

from reconciler.canvas import NO_RETRY, CanvasClient
from reconciler.errors import CanvasError, ConfigError
from reconciler.sandbox import SandboxServer

USERS = f"{BASE}/api/v1/courses/101/users"


def _query(url: str | None) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url or "").query, keep_blank_values=True)


@responses.activate
def test_get_all_follows_lowercase_link_across_three_pages() -> None:
    page2 = f"{USERS}?enrollment_type%5B%5D=student&page=2&per_page=100"
    page3 = f"{USERS}?enrollment_type%5B%5D=student&page=bookmark:WzNd&per_page=100"
    responses.get(USERS, json=[{"id": 1}], headers={
        "link": f'<{USERS}?page=1&per_page=100>; rel="current",<{page2}>; rel="next"'})
    responses.get(page2, json=[{"id": 2}], headers={"link": f'<{page3}>; rel="next"'})
    responses.get(page3, json=[{"id": 3}], headers={"link": f'<{page3}>; rel="current"'})
    client, _ = make_client()

    items = client.get_all("/api/v1/courses/101/users", [("enrollment_type[]", "student")])

    assert [i["id"] for i in items] == [1, 2, 3]
    urls = [c.request.url for c in responses.calls]
    assert _query(urls[0]) == [("enrollment_type[]", "student"), ("per_page", "100")]
    assert urls[1:] == [page2, page3]  # followed verbatim, no parameters added


@responses.activate
def test_missing_link_header_is_a_single_page() -> None:
    responses.get(USERS, json=[{"id": 1}, {"id": 2}])
    client, _ = make_client()
    assert client.get_all("/api/v1/courses/101/users") == [{"id": 1}, {"id": 2}]
    assert len(responses.calls) == 1


@responses.activate
def test_per_page_sent_on_get_and_not_overridden() -> None:
    responses.get(f"{BASE}/api/v1/courses/101", json={"id": 101})
    client, _ = make_client()
    client.get("/api/v1/courses/101")
    client.get("/api/v1/courses/101", {"per_page": 7})
    assert _query(responses.calls[0].request.url) == [("per_page", "100")]
    assert _query(responses.calls[1].request.url) == [("per_page", "7")]


@responses.activate
def test_cross_origin_next_link_is_refused_and_never_requested() -> None:
    responses.get(USERS, json=[{"id": 1}],
                  headers={"Link": '<https://evil.example.com/api/v1/x?page=2>; rel="next"'})
    client, _ = make_client()
    with pytest.raises(CanvasError) as info:
        client.get_all("/api/v1/courses/101/users")
    assert "another origin" in str(info.value)
    assert "evil.example.com" in str(info.value)
    assert len(responses.calls) == 1


@responses.activate
def test_pagination_loop_is_detected() -> None:
    responses.get(USERS, json=[{"id": 1}], headers={"Link": f'<{USERS}>; rel="next"'})
    client, _ = make_client()
    with pytest.raises(CanvasError, match="pagination loop"):
        client.get_all("/api/v1/courses/101/users")


@responses.activate
def test_non_list_page_is_an_error() -> None:
    responses.get(USERS, json={"id": 1})
    client, _ = make_client()
    with pytest.raises(CanvasError, match="expected a JSON list"):
        client.get_all("/api/v1/courses/101/users")


@responses.activate
def test_auth_and_user_agent_headers() -> None:
    responses.get(f"{BASE}/api/v1/courses/1", json={"id": 1})
    client, _ = make_client()
    client.get("/api/v1/courses/1")
    headers = responses.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["User-Agent"].startswith("reconciler/0.1.0")


@pytest.mark.parametrize(("data", "body"), [
    ([("members[]", 5), ("members[]", 7)], "members%5B%5D=5&members%5B%5D=7"),
    ([("members[]", "")], "members%5B%5D="),
    ({"name": "A b", "is_public": True}, "name=A+b&is_public=true"),
    ({"members[]": [3, 4]}, "members%5B%5D=3&members%5B%5D=4"),
    ({"leader": None}, "leader="),
])
@responses.activate
def test_form_encoding(data: Any, body: str) -> None:
    responses.put(f"{BASE}/api/v1/groups/5", json={"id": 5})
    client, _ = make_client()
    client.put("/api/v1/groups/5", data)
    assert responses.calls[0].request.body == body
    assert "per_page" not in (responses.calls[0].request.url or "")


@responses.activate
def test_delete_sends_form_body_and_returns_json() -> None:
    responses.delete(f"{BASE}/api/v1/groups/5", json={"id": 5, "name": "x"})
    client, _ = make_client()
    assert client.delete("/api/v1/groups/5") == {"id": 5, "name": "x"}


@responses.activate
def test_empty_success_body_is_none() -> None:
    responses.post(f"{BASE}/api/v1/x", body="")
    client, _ = make_client()
    assert client.post("/api/v1/x") is None


@pytest.mark.parametrize(("base_url", "expected"), [
    ("https://canvas.example.edu", "https://canvas.example.edu"),
    ("https://canvas.example.edu/", "https://canvas.example.edu"),
    ("https://canvas.example.edu/api/v1/", "https://canvas.example.edu"),
    ("http://localhost:8080", "http://localhost:8080"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ("http://127.9.9.9", "http://127.9.9.9"),
    ("http://[::1]:3000", "http://[::1]:3000"),
])
def test_base_url_accepted(base_url: str, expected: str) -> None:
    assert CanvasClient(base_url, TOKEN).base_url == expected


@pytest.mark.parametrize("base_url", [
    "http://canvas.example.edu",
    "http://10.0.0.1",
    "http://localhost.evil.com",
    "ftp://canvas.example.edu",
    "canvas.example.edu",
    "https://user:pw@canvas.example.edu",
    "https://canvas.example.edu/?x=1",
])
def test_base_url_refused(base_url: str) -> None:
    with pytest.raises(ConfigError):
        CanvasClient(base_url, TOKEN)


def test_empty_token_refused() -> None:
    with pytest.raises(ConfigError, match="CANVAS_API_TOKEN"):
        CanvasClient(BASE, "  ")


def test_repr_hides_token() -> None:
    client, _ = make_client()
    assert TOKEN not in repr(client)
    assert TOKEN not in str(vars(client.retry))


def test_absolute_path_to_other_origin_refused() -> None:
    client, _ = make_client()
    with pytest.raises(CanvasError, match="another origin"):
        client.get("https://elsewhere.example.com/api/v1/courses/1")


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_loopback_base_url_never_goes_through_an_environment_proxy(
        monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    """Over plain http a proxy would read the token; this one refuses connections."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "http://127.0.0.1:9")
    with SandboxServer() as server:
        client = CanvasClient(server.base_url, "sandbox-token", retry=NO_RETRY)
        assert client.get("/api/v1/courses/101")["id"] == 101


def test_numbered_pages_are_built_from_the_last_link() -> None:
    from reconciler.canvas.urls import numbered_pages

    url = f"{BASE}/api/v1/courses/1/groups?include%5B%5D=users&page=1&per_page=100"
    links = {"next": {"url": url.replace("page=1&", "page=2&")},
             "last": {"url": url.replace("page=1&", "page=3&")}}
    assert numbered_pages(url, links) == [
        f"{BASE}/api/v1/courses/1/groups?include%5B%5D=users&page={n}&per_page=100"
        for n in (2, 3)]
    assert numbered_pages(url, {"last": links["last"]}) == []  # one page: nothing to fetch
    bookmark = {"next": {"url": f"{BASE}/x?page=bookmark:WzFd"},
                "last": {"url": f"{BASE}/x?page=bookmark:WzJd"}}
    assert numbered_pages(url, bookmark) == []


def test_pages_after_the_first_are_fetched_side_by_side_and_kept_in_order(
        sandbox: SandboxServer) -> None:
    """Against the emulator (numbered pages with rel="last"): 25 sections, 10 a page."""
    for n in range(25):
        sandbox.state.add_section(202, f"S{n:02d}")
    client = CanvasClient(sandbox.base_url, sandbox.token, per_page=10, concurrency=4)
    names = [s["name"] for s in client.get_all("/api/v1/courses/202/sections")]
    assert names == sorted(names) and len(names) == 26  # with the seeded section
