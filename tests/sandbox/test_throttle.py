"""The leaky-bucket throttle (throttle-and-clients.md §1). A frozen clock makes the bucket
exact: nothing leaks while requests are in flight."""

from __future__ import annotations

import pytest
import requests

from reconciler.sandbox import ManualClock, SandboxServer, ThrottleConfig
from reconciler.sandbox.throttle import Throttle
from tests.conftest import SandboxFactory
from tests.sandbox.helpers import Api


def test_headers_on_every_response(sandbox: SandboxServer) -> None:
    """Default costs are Canvas-like (well under 1 unit a call): GET 0.1 + 0.001 per item,
    writes 0.3."""
    response = Api(sandbox).get("/courses/101/users", params={"per_page": 20})
    assert float(response.headers["X-Request-Cost"]) == pytest.approx(0.12)
    assert float(response.headers["X-Rate-Limit-Remaining"]) <= 600
    write = Api(sandbox).post("/courses/101/group_categories", data={"name": "T"})
    assert write.headers["X-Request-Cost"] == "0.3"


def test_costs_are_configurable(sandbox_factory: SandboxFactory) -> None:
    config = ThrottleConfig(get_cost=1.0, per_item_cost=0.01, write_cost=2.0)
    api = Api(sandbox_factory(throttle=config))
    response = api.get("/courses/101/users", params={"per_page": 20})
    assert float(response.headers["X-Request-Cost"]) == pytest.approx(1.2)
    write = api.post("/courses/101/group_categories", data={"name": "T"})
    assert write.headers["X-Request-Cost"] == "2.0"


# request_throttle.rb renders "<status> <Rack reason phrase> (Rate Limit Exceeded)\n".
THROTTLE_BODIES = {403: "403 Forbidden (Rate Limit Exceeded)\n",
                   429: "429 Too Many Requests (Rate Limit Exceeded)\n"}


@pytest.mark.parametrize("status", [403, 429])
def test_full_bucket_rejects_with_canvas_throttle_response(sandbox_factory: SandboxFactory,
                                                           status: int) -> None:
    """Deterministic: a frozen clock (no leak) and a GET cost of 50 fill the bucket by 50 per
    request, so the 12th request's up-front 50 reaches hwm 600 and is refused. (The
    in-flight reservation arithmetic itself is checked without threads below.)"""
    clock = ManualClock()
    server = sandbox_factory(throttle=ThrottleConfig(status=status, get_cost=50,
                                                     clock=clock.monotonic))
    url = f"{server.base_url}/api/v1/courses/101"
    session = requests.Session()
    session.headers["Authorization"] = "Bearer sandbox-token"
    responses = [session.get(url, timeout=10) for _ in range(12)]
    assert [r.status_code for r in responses] == [200] * 11 + [status]
    throttled = responses[-1]
    assert throttled.text == THROTTLE_BODIES[status]
    assert throttled.headers["Content-Type"].startswith("text/plain")
    assert "Retry-After" not in throttled.headers and "X-Request-Cost" not in throttled.headers
    assert float(throttled.headers["X-Rate-Limit-Remaining"]) > 0  # reservation refunded
    clock.advance(10)  # 100 units leak away: requests pass again
    assert session.get(url, timeout=10).status_code == 200


def test_bucket_arithmetic_and_leak() -> None:
    clock = ManualClock()
    throttle = Throttle(ThrottleConfig(clock=clock.monotonic))
    assert throttle.reserve("t")
    assert throttle.remaining("t") == 550.0
    throttle.settle("t", 1.0)
    assert throttle.remaining("t") == 599.0
    for _ in range(11):
        assert throttle.reserve("t")
    assert not throttle.reserve("t")  # 1 + 12 * 50 >= 600
    clock.advance(5.0)  # leaks 50
    assert throttle.reserve("t")
    assert throttle.remaining("other") == 600.0  # buckets are per token
