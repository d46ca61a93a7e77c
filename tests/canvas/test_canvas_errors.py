"""Error translation: every Canvas error body shape -> CanvasError subclass and message;
the token never appears in any message or repr."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from canvas_fakes import BASE, TOKEN, make_client

from reconciler.canvas.translate import redact
from reconciler.errors import (
    AmbiguousWriteError,
    CanvasAuthError,
    CanvasError,
    CanvasNotFoundError,
    CanvasThrottledError,
)

PATH = "/api/v1/courses/101/group_categories"
URL = BASE + PATH
HTML_503 = ("<!DOCTYPE html><html><head><title>Canvas is down for maintenance</title>"
            "<style>body{}</style></head><body><h1>Back soon</h1></body></html>")

CASES: list[tuple[str, int, Any, str, type[CanvasError], str]] = [
    # name, status, body (dict/list = JSON, str = raw), content type, class, message part
    ("unauthenticated", 401, {"status": "unauthenticated",
                              "errors": [{"message": "user authorization required"}]},
     "application/json", CanvasAuthError, "user authorization required"),
    ("invalid token", 401, {"errors": [{"message": "Invalid access token."}]},
     "application/json", CanvasAuthError, "Invalid access token."),
    ("forbidden", 403, {"status": "unauthorized",
                        "errors": [{"message": "user not authorized to perform that action"}]},
     "application/json", CanvasAuthError, "user not authorized to perform that action"),
    ("protected", 401, {"status": "unauthorized"}, "application/json", CanvasAuthError,
     "unauthorized"),
    ("manage_sis", 401, {"message": "You must have manage_sis permission to set sis attributes"},
     "application/json", CanvasAuthError, "manage_sis permission"),
    ("not found", 404, {"errors": [{"message": "The specified resource does not exist."}]},
     "application/json", CanvasNotFoundError, "does not exist"),
    ("category not found", 404, {"status": "not found"}, "application/json",
     CanvasNotFoundError, "not found"),
    ("validation", 400, {"errors": {"name": [{"attribute": "name", "type": "x",
                                              "message": "Project Groups is already in use."}]}},
     "application/json", CanvasError, "name: Project Groups is already in use."),
    ("record invalid 422", 422, {"errors": [{"field": "sis_source_id", "message": "is taken",
                                             "error_code": "taken"}]},
     "application/json", CanvasError, "sis_source_id: is taken"),
    ("bad collaboration_state", 400, {"error": "Invalid collaboration_state: x"},
     "application/json", CanvasError, "Invalid collaboration_state: x"),
    ("empty object", 400, {}, "application/json", CanvasError, "no error details"),
    ("empty body", 400, "", "text/plain", CanvasError, "empty response body"),
    ("string errors", 401, {"errors": "Invalid as_user_id"}, "application/json",
     CanvasAuthError, "Invalid as_user_id"),
    ("text plain", 400, "something broke\n", "text/plain", CanvasError, "something broke"),
    ("html maintenance", 503, HTML_503, "text/html", CanvasError,
     "HTML error page: Canvas is down for maintenance"),
    ("html no title", 502, "<html><body><p>Bad gateway</p></body></html>", "text/html",
     CanvasError, "HTML error page: Bad gateway"),
    ("html empty", 504, "<html></html>", "text/html", CanvasError, "HTML error page"),
    ("throttle 403", 403, "403 Forbidden (Rate Limit Exceeded)\n", "text/plain",
     CanvasThrottledError, "Rate Limit Exceeded"),
    ("throttle 429", 429, "429 Too Many Requests (Rate Limit Exceeded)\n", "text/plain",
     CanvasThrottledError, "Rate Limit Exceeded"),
    ("server error", 500, {"errors": [{"message": "An error occurred.",
                                       "error_code": "internal_server_error"}],
                           "error_report_id": 7}, "application/json", CanvasError,
     "An error occurred."),
]


def _register(status: int, body: Any, ctype: str, method: str = "GET") -> None:
    raw = body if isinstance(body, str) else json.dumps(body)
    responses.add(method, URL, body=raw, status=status, content_type=ctype)


@pytest.mark.parametrize(("status", "body", "ctype", "cls", "part"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
@responses.activate
def test_error_shapes(status: int, body: Any, ctype: str, cls: type[CanvasError],
                      part: str) -> None:
    _register(status, body, ctype)
    client, _ = make_client(max_attempts=1)
    with pytest.raises(CanvasError) as info:
        client.get(PATH, {"search_term": "secretquery"})
    err = info.value
    assert type(err) is cls
    assert err.status == status
    text = str(err)
    assert part in text
    assert f"GET {PATH} failed: HTTP {status}" in text
    assert "secretquery" not in text and TOKEN not in text and TOKEN not in repr(err)


@pytest.mark.parametrize(("body", "advice"), [
    ({"errors": [{"message": "Invalid access token."}]}, "check CANVAS_API_TOKEN"),
    ({"errors": [{"message": "Expired access token."}]}, "invalid, expired or revoked"),
    ({"errors": [{"message": "Insufficient scopes on access token."}]}, "scope"),
])
@responses.activate
def test_auth_advice(body: Any, advice: str) -> None:
    _register(401, body, "application/json")
    client, _ = make_client(max_attempts=1)
    with pytest.raises(CanvasAuthError, match=advice):
        client.get(PATH)


@responses.activate
def test_not_found_advice_names_the_course() -> None:
    responses.get(f"{BASE}/api/v1/courses/999", status=404,
                  json={"errors": [{"message": "The specified resource does not exist."}]})
    client, _ = make_client(max_attempts=1)
    with pytest.raises(CanvasNotFoundError, match="course may not exist"):
        client.get("/api/v1/courses/999")


@responses.activate
def test_token_echoed_by_server_is_redacted() -> None:
    _register(400, f"bad token {TOKEN} given", "text/plain")
    client, _ = make_client(max_attempts=1)
    with pytest.raises(CanvasError) as info:
        client.get(PATH)
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    assert "[redacted]" in str(info.value)


@responses.activate
def test_secret_part_of_token_echoed_alone_is_redacted() -> None:
    secret = TOKEN.partition("~")[2]
    _register(400, f"unknown key {secret}", "text/plain")
    client, _ = make_client(max_attempts=1)
    with pytest.raises(CanvasError) as info:
        client.get(PATH)
    assert secret not in str(info.value) and "[redacted]" in str(info.value)


@pytest.mark.parametrize("exc", [
    requests.ConnectionError(f"Connection refused for {TOKEN}"),
    requests.Timeout("read timed out"),
    requests.exceptions.SSLError("certificate verify failed"),
    requests.exceptions.InvalidURL("bad"),
])
@responses.activate
def test_transport_errors_are_translated(exc: Exception) -> None:
    responses.get(URL, body=exc)
    client, _ = make_client(max_attempts=1)
    with pytest.raises(CanvasError) as info:
        client.get(PATH)
    err = info.value
    assert not isinstance(err, requests.RequestException)
    assert err.status is None and "no response" in str(err)
    assert TOKEN not in str(err) and TOKEN not in repr(err)
    assert err.__cause__ is None and err.__context__ is None


@responses.activate
def test_malformed_json_on_200_get_is_an_error() -> None:
    responses.get(URL, body="{not json", status=200, content_type="application/json")
    client, _ = make_client()
    with pytest.raises(CanvasError, match="expected JSON") as info:
        client.get(PATH)
    assert not isinstance(info.value, AmbiguousWriteError)
    assert len(responses.calls) == 1


@responses.activate
def test_html_on_200_post_is_ambiguous() -> None:
    responses.post(URL, body="<html><title>Log in</title></html>", status=200,
                   content_type="text/html")
    client, _ = make_client()
    with pytest.raises(AmbiguousWriteError, match="HTML error page: Log in"):
        client.post(PATH, {"name": "x"})


@responses.activate
def test_redirect_is_not_followed() -> None:
    responses.get(URL, status=302, headers={"Location": "https://login.example.com/sso"})
    client, _ = make_client()
    with pytest.raises(CanvasError, match="unexpected redirect") as info:
        client.get(PATH)
    assert info.value.status == 302
    assert len(responses.calls) == 1


@pytest.mark.parametrize(("exc", "summary"), [
    (requests.ConnectionError("HTTPConnectionPool(host='x', port=1): Max retries exceeded "
                              "(Caused by NewConnectionError('[Errno 111] Connection refused'))"),
     "connection refused"),
    (requests.ConnectionError("Failed to resolve 'canvas.invalid'"), "host name not found"),
    (requests.ConnectionError("('Connection aborted.', RemoteDisconnected('closed'))"),
     "connection closed without a response"),
    (requests.ConnectTimeout("x"), "timed out while connecting"),
    (requests.ReadTimeout("x"), "timed out waiting for a response"),
])
@responses.activate
def test_transport_error_summaries(exc: Exception, summary: str) -> None:
    responses.get(URL, body=exc)
    client, _ = make_client(max_attempts=1)
    with pytest.raises(CanvasError, match=summary):
        client.get(PATH)


def test_a_quoted_or_escaped_echo_of_the_token_is_redacted() -> None:
    token = "7~sec\\ret\"part"
    for echoed in (repr(token), json.dumps(token), repr("sec\\ret\"part")):
        assert "sec" not in redact(f"header value {echoed} is invalid", token)
