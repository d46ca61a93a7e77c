"""Retries: throttling, 5xx and transport failures for idempotent verbs; never a blind POST
retry; attempts counted; budget respected; pre-emptive back-off on low remaining quota.
All sleeping goes through the injected `sleep`, so nothing here waits."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import responses
from canvas_fakes import BASE, make_client

from reconciler.canvas import RetryPolicy
from reconciler.canvas.client import CanvasClient
from reconciler.canvas.retry import Wait
from reconciler.errors import (
    AmbiguousWriteError,
    CanvasAuthError,
    CanvasError,
    CanvasThrottledError,
)

PATH = "/api/v1/groups/501"
URL = BASE + PATH
THROTTLE_TEXT = "403 Forbidden (Rate Limit Exceeded)\n"

FAILURES: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "body": "429 Too Many Requests (Rate Limit Exceeded)",
            "content_type": "text/plain"},
    "403 throttle, positive remaining": {
        "status": 403, "body": THROTTLE_TEXT, "content_type": "text/plain",
        "headers": {"x-rate-limit-remaining": "13.677"}},
    "500": {"status": 500, "json": {"errors": [{"message": "An error occurred."}]}},
    "503 html": {"status": 503, "body": "<html><title>Maintenance</title></html>",
                 "content_type": "text/html"},
    "connection error": {"body": requests.ConnectionError("connection reset")},
    "read timeout": {"body": requests.ReadTimeout("read timed out")},
}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("failure", list(FAILURES))
@responses.activate
def test_idempotent_verbs_retry_then_succeed(method: str, failure: str) -> None:
    for _ in range(2):
        responses.add(method, URL, **FAILURES[failure])
    responses.add(method, URL, json={"id": 501})
    client, sleeps = make_client()

    result = getattr(client, method.lower())(PATH)

    assert result == {"id": 501}
    assert len(responses.calls) == 3
    assert len(sleeps) == 2 and all(s > 0 for s in sleeps)


@pytest.mark.parametrize("failure", list(FAILURES))
@responses.activate
def test_final_failure_says_how_many_attempts(failure: str) -> None:
    responses.add("PUT", URL, **FAILURES[failure])
    client, sleeps = make_client(max_attempts=3)
    with pytest.raises(CanvasError, match="gave up after 3 attempts"):
        client.put(PATH, [("members[]", 1)])
    assert len(responses.calls) == 3 and len(sleeps) == 2


@responses.activate
def test_budget_exhaustion_stops_early() -> None:
    responses.get(URL, status=500, json={})
    client, sleeps = make_client(max_attempts=10, base_delay=4.0, budget=10.0)
    with pytest.raises(CanvasError) as info:
        client.get(PATH)
    assert "retry budget of 10s exhausted" in str(info.value)
    assert "gave up after 2 attempts" in str(info.value)
    assert sleeps == [4.0] and len(responses.calls) == 2


@pytest.mark.parametrize("failure", ["500", "503 html", "connection error", "read timeout"])
@responses.activate
def test_post_is_never_blindly_retried(failure: str) -> None:
    responses.add("POST", URL, **FAILURES[failure])
    responses.add("POST", URL, json={"id": 1})
    client, sleeps = make_client()
    with pytest.raises(AmbiguousWriteError) as info:
        client.post(PATH, {"name": "x"})
    assert "run plan again to see whether it did" in str(info.value)
    assert len(responses.calls) == 1 and sleeps == []


@pytest.mark.parametrize("failure", ["429", "403 throttle, positive remaining"])
@responses.activate
def test_throttled_post_was_not_executed_so_it_is_retried(failure: str) -> None:
    responses.add("POST", URL, **FAILURES[failure])
    responses.add("POST", URL, json={"id": 1})
    client, sleeps = make_client()
    assert client.post(PATH, {"name": "x"}) == {"id": 1}
    assert len(responses.calls) == 2 and len(sleeps) == 1


@responses.activate
def test_connect_timeout_post_is_retried() -> None:
    responses.add("POST", URL, body=requests.ConnectTimeout("connect timed out"))
    responses.add("POST", URL, json={"id": 1})
    client, _ = make_client()
    assert client.post(PATH) == {"id": 1}


@responses.activate
def test_non_throttle_403_is_not_retried_even_with_zero_remaining() -> None:
    responses.get(URL, status=403, headers={"x-rate-limit-remaining": "0.0"},
                  json={"status": "unauthorized",
                        "errors": [{"message": "user not authorized to perform that action"}]})
    client, sleeps = make_client()
    with pytest.raises(CanvasAuthError):
        client.get(PATH)
    assert len(responses.calls) == 1 and sleeps == []


@pytest.mark.parametrize("status", [400, 401, 404, 422])
@responses.activate
def test_client_errors_are_not_retried(status: int) -> None:
    responses.put(URL, status=status, json={})
    client, sleeps = make_client()
    with pytest.raises(CanvasError) as info:
        client.put(PATH)
    assert "gave up" not in str(info.value)
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_throttle_backs_off_for_seconds() -> None:
    responses.get(URL, status=429, body="Rate Limit Exceeded")
    responses.get(URL, json={})
    client, sleeps = make_client(base_delay=0.1, throttle_delay=5.0)
    client.get(PATH)
    assert sleeps == [5.0]


@responses.activate
def test_exhausted_throttle_keeps_its_class() -> None:
    responses.get(URL, status=429, body="Rate Limit Exceeded")
    client, _ = make_client(max_attempts=2)
    with pytest.raises(CanvasThrottledError, match="gave up after 2 attempts"):
        client.get(PATH)


@pytest.mark.parametrize(("remaining", "expected"), [
    ("599.68", []), ("100", []), ("20", [8.0]), ("-200", [30.0]), ("garbage", []),
])
@responses.activate
def test_low_remaining_quota_backs_off_pre_emptively(remaining: str,
                                                     expected: list[float]) -> None:
    responses.get(URL, json={}, headers={"x-rate-limit-remaining": remaining})
    client, sleeps = make_client()
    client.get(PATH)
    assert sleeps == expected


@pytest.mark.parametrize(("attempt", "rand", "kwargs", "expected"), [
    (1, 0.0, {}, 1.0),
    (2, 0.0, {}, 2.0),
    (3, 1.0, {}, 5.0),              # 4 * (1 + 0.25)
    (10, 0.0, {}, 30.0),            # capped by max_delay
    (1, 0.0, {"throttled": True}, 5.0),
    (1, 0.0, {"retry_after": 12.0}, 12.0),
])
def test_backoff_schedule(attempt: int, rand: float, kwargs: dict[str, Any],
                          expected: float) -> None:
    policy = RetryPolicy(random=lambda: rand)
    assert policy.backoff(attempt, **kwargs) == pytest.approx(expected)


@responses.activate
def test_retry_after_header_is_honoured() -> None:
    responses.get(URL, status=503, body="", headers={"Retry-After": "7"})
    responses.get(URL, json={})
    client, sleeps = make_client()
    client.get(PATH)
    assert sleeps == [7.0]


@responses.activate
def test_waits_are_announced_before_each_sleep() -> None:
    responses.add("GET", URL, status=403, body="403 Forbidden (Rate Limit Exceeded)\n")
    responses.add("GET", URL, status=503, json={})
    responses.add("GET", URL, json={"id": 1}, headers={"X-Rate-Limit-Remaining": "5"})
    waits: list[Wait] = []
    sleeps: list[float] = []
    client = CanvasClient(BASE, "t0ken", sleep=sleeps.append, on_wait=waits.append,
                          retry=RetryPolicy(random=lambda: 0.0, max_attempts=5))
    client.get(PATH)
    assert [(w.reason, w.seconds, w.retry, w.retries) for w in waits] == [
        ("throttled", sleeps[0], 1, 4), ("retry", sleeps[1], 2, 4), ("low", sleeps[2], 0, 0)]
    assert [w.message() for w in waits] == [
        "Canvas is throttling; waiting 5 s (retry 1 of 4)",
        f"Canvas did not answer ({waits[1].cause}); retrying in 2 s (retry 2 of 4)",
        f"Canvas's rate limit is running low; pausing {sleeps[2]:.0f} s"]
    assert sleeps[2] >= 1
    assert "t0ken" not in " ".join(w.message() for w in waits)
