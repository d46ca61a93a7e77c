"""Waiting for a Canvas Progress (an asynchronous job such as the group-set CSV import,
Q-PROGRESS): poll GET /api/v1/progress/:id, backing off, until it is no longer queued or
running."""

from __future__ import annotations

import time

from reconciler.canvas import wire
from reconciler.canvas.api import ReadAPI

FIRST_POLL, LONGEST_POLL = 0.25, 2.0


class Stalled(Exception):
    """A Progress whose state and completion did not change for `seconds`."""

    def __init__(self, progress: wire.Progress, seconds: float) -> None:
        super().__init__(f"progress {progress.id} made no progress for {seconds:g} s")
        self.progress, self.seconds = progress, seconds


def await_progress(client: ReadAPI, progress: wire.Progress,
                   stall_after: float) -> wire.Progress:
    """Poll a Progress until it finishes, backing off; raise Stalled for one whose state
    and completion have not changed for `stall_after` seconds (of real time: a client
    whose `wait` does not sleep polls until then)."""
    delay, since = FIRST_POLL, time.monotonic()
    while not progress.finished:
        client.wait(delay)
        latest = wire.progress(client.get(f"/api/v1/progress/{progress.id}"))
        if (latest.state, latest.completion) != (progress.state, progress.completion):
            since = time.monotonic()
        elif time.monotonic() - since >= stall_after:
            raise Stalled(latest, stall_after)
        progress, delay = latest, min(LONGEST_POLL, delay * 1.5)
    return progress
