"""Waiting for a Canvas Progress (an asynchronous job such as the group-set CSV import,
Q-PROGRESS): poll GET /api/v1/progress/:id, backing off, until it is no longer queued or
running."""

from __future__ import annotations

import time
from collections.abc import Callable

from reconciler.canvas import wire
from reconciler.canvas.api import ReadAPI
from reconciler.canvas.retry import Wait

FIRST_POLL, LONGEST_POLL = 0.25, 2.0
NOTICE_EVERY = 10.0  # seconds between "still waiting" notices for a long job


class Stalled(Exception):
    """A Progress whose state and completion did not change for `seconds`."""

    def __init__(self, progress: wire.Progress, seconds: float) -> None:
        super().__init__(f"progress {progress.id} made no progress for {seconds:g} s")
        self.progress, self.seconds = progress, seconds


def await_progress(client: ReadAPI, progress: wire.Progress, stall_after: float,
                   job: str = "a background job",
                   clock: Callable[[], float] = time.monotonic) -> wire.Progress:
    """Poll a Progress until it finishes, backing off; raise Stalled for one whose state
    and completion have not changed for `stall_after` seconds (of real time: a client
    whose `wait` does not sleep polls until then). Every NOTICE_EVERY seconds the wait is
    announced (the client's on_wait), naming `job`."""
    delay = FIRST_POLL
    start = since = noticed = clock()
    while not progress.finished:
        now = clock()
        notice = None
        if now - noticed >= NOTICE_EVERY:
            notice, noticed = Wait("job", delay, cause=job, completion=progress.completion,
                                   elapsed=now - start), now
        client.wait(delay, notice)
        latest = wire.progress(client.get(f"/api/v1/progress/{progress.id}"))
        if (latest.state, latest.completion) != (progress.state, progress.completion):
            since = clock()
        elif clock() - since >= stall_after:
            raise Stalled(latest, stall_after)
        progress, delay = latest, min(LONGEST_POLL, delay * 1.5)
    return progress
