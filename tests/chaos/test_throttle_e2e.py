"""Throttling end to end: a tiny leaky bucket (hwm 70, so about the 11th write in a row is
rejected) on a clock that only moves when the client sleeps, so every figure is
deterministic and nothing really waits. The first two count one write per operation, so
they run without the CSV import."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from reconciler.canvas import CanvasClient
from reconciler.sandbox import SandboxServer, ThrottleConfig
from tests.conftest import SandboxFactory

from .scenario import PER_REQUEST, Scenario, apply_once, build, fast_client, log_problems


@dataclass
class World:
    server: SandboxServer
    scenario: Scenario
    client: CanvasClient
    now: float = 0.0  # the throttle's clock: it moves only when the client sleeps
    sleeps: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # every response the client saw

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _world(sandbox_factory: SandboxFactory, tmp_path: Path, status: int,
           low_water: float) -> World:
    holder: list[World] = []
    # Costs fixed here (the old defaults), not inherited: the shipped defaults are
    # Canvas-like and far smaller, and this test needs the bucket to fill.
    server = sandbox_factory(latency_ms=1, throttle=ThrottleConfig(
        status=status, hwm=70.0, get_cost=1.0, per_item_cost=0.01, write_cost=2.0,
        clock=lambda: holder[0].now))
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: holder[0].statuses.append(
        r.status_code))
    scenario = build(server.state, 5, tmp_path)
    client = fast_client(server, 5, session=session, sleep=lambda s: holder[0].sleep(s),
                         max_attempts=5, base_delay=1.0, max_delay=30.0, budget=120.0,
                         throttle_delay=5.0, low_water=low_water)
    holder.append(World(server, scenario, client))
    return holder[0]


@pytest.mark.parametrize("status", [429, 403])
def test_throttled_apply_backs_off_and_converges(
        sandbox_factory: SandboxFactory, tmp_path: Path, status: int) -> None:
    world = _world(sandbox_factory, tmp_path, status, low_water=0.0)

    run = apply_once(world.server, world.scenario.spec, world.client, options=PER_REQUEST)

    assert run.ending == "converged", run.message
    throttled = world.statuses.count(status)
    assert throttled >= 5
    # every throttled response was followed by a back-off of at least throttle_delay (5 s),
    # and nothing else made the client sleep
    assert len(world.sleeps) == throttled and min(world.sleeps) >= 5.0
    # throttled requests never reached Canvas: each op's write was logged once, successful
    assert {e.status for e in run.events} == {200}
    assert len(run.events) == len(run.outcomes)
    assert log_problems(world.server.state, world.scenario) == []


def test_rate_limit_remaining_pauses_keep_the_bucket_from_overflowing(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    world = _world(sandbox_factory, tmp_path, 429, low_water=100.0)

    run = apply_once(world.server, world.scenario.spec, world.client, options=PER_REQUEST)

    assert run.ending == "converged", run.message
    assert 429 not in world.statuses
    # X-Rate-Limit-Remaining (70 - bucket) is always under low_water: a pause after each
    assert len(world.sleeps) == len(world.statuses)


def _concurrent(sandbox_factory: SandboxFactory, tmp_path: Path,
                throttle: ThrottleConfig) -> tuple[World, CanvasClient]:
    server = sandbox_factory(latency_ms=15, throttle=throttle)
    statuses: list[int] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: statuses.append(r.status_code))
    scenario = build(server.state, 7, tmp_path)
    client = fast_client(server, 7, session=session, concurrency=8, max_attempts=8,
                         throttle_delay=0.05, max_delay=0.2, budget=10.0)
    world = World(server, scenario, client, statuses=statuses)
    return world, client


def test_concurrent_apply_stays_under_its_cap_and_never_provokes_the_throttle(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    """Canvas's default bucket (hwm 600, 50 reserved per request in flight) holds 11 at
    once: concurrency 8 must never be throttled."""
    world, client = _concurrent(sandbox_factory, tmp_path, ThrottleConfig(status=429))
    run = apply_once(world.server, world.scenario.spec, client)
    assert run.ending == "converged", run.message
    assert client.limiter is not None and 1 < client.limiter.peak <= 8
    assert 429 not in world.statuses and client.limiter.halvings == 0
    assert log_problems(world.server.state, world.scenario) == []


def test_concurrent_apply_backs_off_when_the_bucket_is_small(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    """A bucket that holds about 4 requests at once: the first throttled answers halve the
    limit, and the apply still converges with nothing done twice."""
    world, client = _concurrent(sandbox_factory, tmp_path,
                                ThrottleConfig(status=403, hwm=200.0))
    run = apply_once(world.server, world.scenario.spec, client)
    assert run.ending == "converged", run.message
    assert client.limiter is not None and client.limiter.halvings >= 1
    assert client.limiter.limit <= 4
    assert log_problems(world.server.state, world.scenario) == []
