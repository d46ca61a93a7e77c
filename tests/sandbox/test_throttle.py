"""The leaky-bucket throttle (throttle-and-clients.md §1). A frozen clock makes the bucket
exact: nothing leaks while requests are in flight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from reconciler.sandbox import ManualClock, SandboxServer, ThrottleConfig
from reconciler.sandbox.throttle import Throttle
from tests.conftest import SandboxFactory
from tests.sandbox.helpers import Api


def test_headers_on_every_response(sandbox: SandboxServer) -> None:
    response = Api(sandbox).get("/courses/101/users", params={"per_page": 20})
    assert float(response.headers["X-Request-Cost"]) == pytest.approx(1.2)
    assert float(response.headers["X-Rate-Limit-Remaining"]) <= 600
    write = Api(sandbox).post("/courses/101/group_categories", data={"name": "T"})
    assert write.headers["X-Request-Cost"] == "2.0"


@pytest.mark.parametrize("status", [403, 429])
def test_twelfth_concurrent_request_is_throttled(sandbox_factory: SandboxFactory,
                                                 status: int) -> None:
    clock = ManualClock()
    server = sandbox_factory(latency_ms=600,
                             throttle=ThrottleConfig(status=status, clock=clock.monotonic))
    url = f"{server.base_url}/api/v1/courses/101"

    def call(_: int) -> requests.Response:
        return requests.get(url, headers={"Authorization": "Bearer sandbox-token"}, timeout=10)

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(call, range(12)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 11 + [status]
    throttled = next(r for r in responses if r.status_code == status)
    assert throttled.text == f"{status} Forbidden (Rate Limit Exceeded)\n"
    assert throttled.headers["Content-Type"].startswith("text/plain")
    assert "Retry-After" not in throttled.headers and "X-Request-Cost" not in throttled.headers
    assert float(throttled.headers["X-Rate-Limit-Remaining"]) > 0  # reservation refunded


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
