"""Deterministic fault injection: same seed, same request sequence, same faults."""

from __future__ import annotations

import requests

from reconciler.sandbox import SandboxServer
from reconciler.sandbox.faults import FaultInjector
from tests.conftest import SandboxFactory


def outcomes(server: SandboxServer, count: int) -> list[str]:
    seen = []
    for n in range(count):
        try:
            response = requests.post(f"{server.base_url}/api/v1/courses/101/group_categories",
                                     data={"name": f"Set {n}"}, timeout=10,
                                     headers={"Authorization": "Bearer sandbox-token"})
            seen.append(str(response.status_code))
        except requests.ConnectionError:
            seen.append("dropped")
    return seen


def test_same_seed_same_faults(sandbox_factory: SandboxFactory) -> None:
    first = outcomes(sandbox_factory(fail_rate=0.5, fail_seed=7), 30)
    second = outcomes(sandbox_factory(fail_rate=0.5, fail_seed=7), 30)
    assert first == second
    assert {"200", "500", "502", "503", "dropped"} <= set(first)


def test_fault_kinds_and_lost_responses(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory(fail_rate=0.5, fail_seed=7)
    seen = outcomes(server, 30)
    log = server.state.write_log
    assert [e.fault for e in log if e.fault] and len(log) == 30
    lost = [e for e in log if e.fault == "response_lost"]
    created = {c.name for c in server.state.categories(101)}
    for event in lost:  # the write happened although the client saw a dropped connection
        assert event.status == 200 and event.ids["category_id"] in server.state.t.categories
    assert len(created) == 2 + seen.count("200") + len(lost)
    bad_gateway = next(e for e in log if e.status == 502)
    assert bad_gateway.fault == "bad_gateway_502"


def test_injector_sequence_is_reproducible() -> None:
    a, b = FaultInjector(0.3, seed=1), FaultInjector(0.3, seed=1)
    assert [a.draw() for _ in range(50)] == [b.draw() for _ in range(50)]
    assert FaultInjector(0.0, seed=1).draw() is None
