"""Waiting for a Canvas Progress (an asynchronous job such as the group-set CSV import,
Q-PROGRESS): poll GET /api/v1/progress/:id, backing off, until it is no longer queued or
running."""

from __future__ import annotations

import time

from reconciler.canvas import wire
from reconciler.canvas.api import ReadAPI
from reconciler.canvas.run import Failed

FIRST_POLL, LONGEST_POLL = 0.25, 2.0


def await_progress(client: ReadAPI, progress: wire.Progress,
                   stall_after: float) -> wire.Progress:
    """Poll a Progress until it finishes, backing off; fail one whose state and completion
    have not changed for `stall_after` seconds."""
    delay, since = FIRST_POLL, time.monotonic()
    while not progress.finished:
        client.wait(delay)
        latest = wire.progress(client.get(f"/api/v1/progress/{progress.id}"))
        if (latest.state, latest.completion) != (progress.state, progress.completion):
            since = time.monotonic()
        elif time.monotonic() - since >= stall_after:
            raise Failed(f"the import (progress {progress.id}) made no progress for "
                         f"{stall_after:g} s; a re-run plans what is left")
        progress, delay = latest, min(LONGEST_POLL, delay * 1.5)
    return progress
