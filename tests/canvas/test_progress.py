"""Waiting for a Canvas Progress: back-off, the stall timer, and "still waiting" notices."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest

from reconciler.canvas import wire
from reconciler.canvas.pool import Pool
from reconciler.canvas.progress import LONGEST_POLL, NOTICE_EVERY, Stalled, await_progress
from reconciler.canvas.retry import Wait


class Job:
    """A client whose only resource is one Progress; its wait() moves a fake clock."""

    def __init__(self, completions: Iterator[float]) -> None:
        self.now = 0.0
        self.completions = completions
        self.notices: list[Wait] = []
        self.pool = Pool(1)

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float, notice: Wait | None = None) -> None:
        self.now += seconds
        if notice is not None:
            self.notices.append(notice)

    def get(self, path: str, params: Any = None) -> Any:
        done = next(self.completions, 100.0)
        return {"id": 7, "workflow_state": "completed" if done >= 100 else "running",
                "completion": done}

    def get_all(self, path: str, params: Any = None) -> list[Any]:
        raise AssertionError("no listing while waiting")


RUNNING = wire.Progress(7, "running", 0.0, None)


def test_a_long_job_is_announced_every_few_seconds_with_how_far_it_got() -> None:
    client = Job(iter([float(n) for n in range(1, 100)]))  # one percent more per poll
    done = await_progress(client, RUNNING, stall_after=60, job="the import into 'Studios'",
                          clock=client.clock)

    assert done.state == "completed"
    longest_gap = NOTICE_EVERY + LONGEST_POLL  # a notice waits for the next poll
    assert client.now // longest_gap <= len(client.notices) <= client.now // NOTICE_EVERY
    first = client.notices[0]
    assert first.elapsed >= NOTICE_EVERY and first.completion > 0
    assert first.message() == (f"Waiting for Canvas to finish the import into 'Studios': "
                               f"{first.completion:.0f}% done after {first.elapsed:.0f} s")
    gaps = [b.elapsed - a.elapsed for a, b in pairwise(client.notices)]
    assert gaps and all(NOTICE_EVERY <= gap <= longest_gap for gap in gaps)


def test_a_job_that_shows_no_completion_is_said_to_be_still_running() -> None:
    assert Wait("job", 2, cause="the import into 'Labs'", elapsed=31.4).message() == (
        "Waiting for Canvas to finish the import into 'Labs': still running after 31 s")


def test_a_quick_job_is_not_announced() -> None:
    client = Job(iter([50.0]))
    await_progress(client, RUNNING, stall_after=60, clock=client.clock)
    assert client.notices == [] and client.now < NOTICE_EVERY


def test_a_job_that_stops_moving_is_stalled_after_the_given_time() -> None:
    client = Job(iter([5.0] * 1000))
    with pytest.raises(Stalled) as info:
        await_progress(client, RUNNING, stall_after=30, clock=client.clock)
    assert info.value.seconds == 30 and 30 <= client.now < 33
