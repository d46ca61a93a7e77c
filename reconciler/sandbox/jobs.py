"""The CSV import's background job and its Progress (Q-IMPORT-STRAND, Q-PROGRESS,
Q-CSV-IMPORT-FAILURES; docs/canvas-quirks.md).

Canvas enqueues `import_groups_from_attachment` on a strand keyed on the course: the imports
of one course run one at a time, in arrival order, one attempt each. Here no thread runs
them: `run_due_jobs` (called by the app at the start of every request, under the state
lock) plays the queue forward to the state clock's `monotonic()` time. A job starts
(`running`) when its course's previous job ends, and ends `ImportJob.duration_s` later:

- applied → `completed`, completion 100.0, message `{"type":"import_groups","groups":N,
  "users":M,"error":null}` (a JSON string), and a write-log event `import_group_category`;
- the file refused (importer.ImportRejected) → `failed`, message the same JSON with `error`;
- malformed CSV, `ImportConfig.fail_next`, or an error mid-way (importer.InvalidRecord,
  whose changes so far stay) → `failed`, "Unexpected error, ID: N" (N a new error report);
- `ImportConfig.stall` → `running` at completion 0.0 forever, holding the course's queue.

The whole file is applied at the job's end, so a reader during `running` sees none of it.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta

from reconciler.sandbox.clock import iso
from reconciler.sandbox.csv_dialect import MalformedCSV, Row
from reconciler.sandbox.entities import GroupCategory, ImportJob, Progress, WriteEvent
from reconciler.sandbox.importer import ImportRejected, InvalidRecord, import_rows, read_file
from reconciler.sandbox.rules import Changes
from reconciler.sandbox.state import EmulatorState

log = logging.getLogger(__name__)
IMPORT_TAG = "course_group_import"
IMPORT_KIND = "import_group_category"
SLACK_S = 1e-9  # a time this close to now has come (sums of 0.2 s are not exact in floats)


def enqueue_import(state: EmulatorState, category: GroupCategory, filename: str | None,
                   data: bytes) -> Progress:
    """`create_import_with_attachment`: a queued Progress and its job, knobs read now."""
    now = state.now()
    progress = Progress(state.next_id("progress"), category.id, "GroupCategory", IMPORT_TAG,
                        now, now)
    state.t.progress[progress.id] = progress
    config = state.import_config
    state.t.import_jobs[progress.id] = ImportJob(
        progress.id, category.course_id, category.id, filename,
        base64.b64encode(data).decode("ascii"), config.duration_s, state.clock.monotonic(),
        fail=config.take_failure(), stall=config.stall)
    return progress


def run_due_jobs(state: EmulatorState) -> bool:
    """Start and end every job whose time has come; True when anything changed."""
    with state.lock:
        if not state.t.import_jobs:
            return False
        now = state.clock.monotonic() + SLACK_S
        queues: dict[int, list[ImportJob]] = {}
        for job in sorted(state.t.import_jobs.values(), key=lambda j: j.id):
            queues.setdefault(job.course_id, []).append(job)
        changed = [_advance(state, queue, now) for queue in queues.values()]
        return any(changed)


def _advance(state: EmulatorState, queue: list[ImportJob], now: float) -> bool:
    """One course's queue: each job starts when the one before it has ended."""
    changed = False
    free_at = float("-inf")
    for job in queue:
        if job.started_at is None:
            job.started_at = max(job.enqueued_at, free_at)
            if job.started_at > now:
                job.started_at = None
                return changed
            progress = state.t.progress[job.id]
            progress.workflow_state = "running"
            progress.updated_at = _wall(state, job.started_at, now)
            changed = True
        free_at = job.started_at + job.duration_s
        if job.stall or free_at > now:
            return changed
        _end(state, job, _wall(state, free_at, now))
        changed = True
    return changed


def _end(state: EmulatorState, job: ImportJob, when: str) -> None:
    del state.t.import_jobs[job.id]
    progress = state.t.progress[job.id]
    progress.updated_at = when
    if job.fail:
        _fail(progress, _unexpected(state))
        return
    try:
        rows = read_file(job.filename, base64.b64decode(job.data))
    except ImportRejected as rejected:
        _fail(progress, _message(error=rejected.error))
    except MalformedCSV:  # fail_import("Malformed CSV"), then the job crashes on nil
        _fail(progress, _unexpected(state))
    else:
        _apply(state, job, progress, rows)


def _apply(state: EmulatorState, job: ImportJob, progress: Progress,
           rows: list[Row]) -> None:
    changes = Changes()
    try:
        tally = import_rows(state, state.t.categories[job.category_id], rows, changes)
    except Exception as error:  # Work#on_permanent_failure; what was done stays done
        if not isinstance(error, InvalidRecord):
            log.exception("sandbox import job %s failed", job.id)
        _fail(progress, _unexpected(state))
        _log(state, job, changes, 500)
        return
    progress.workflow_state = "completed"
    progress.completion = 100.0
    progress.message = _message(groups=tally.groups, users=tally.users)
    _log(state, job, changes, 200)


def _fail(progress: Progress, message: str) -> None:
    progress.workflow_state = "failed"
    progress.message = message


def _unexpected(state: EmulatorState) -> str:
    return f"Unexpected error, ID: {state.next_error_report_id()}"


def _message(groups: int = 0, users: int = 0, error: str | None = None) -> str:
    """`progress_message(...).to_json`."""
    body = {"type": "import_groups", "groups": groups, "users": users, "error": error}
    return json.dumps(body, separators=(",", ":"))


def _wall(state: EmulatorState, at: float, now: float) -> str:
    """The wall time of monotonic instant `at`, seen from monotonic `now`."""
    return iso(state.clock.now() - timedelta(seconds=now - at))


def _log(state: EmulatorState, job: ImportJob, changes: Changes, status: int) -> None:
    path = f"/api/v1/group_categories/{job.category_id}/import"
    state.write_log.append(WriteEvent(
        "POST", path, status, IMPORT_KIND, {"category_id": job.category_id, "progress_id": job.id},
        list(changes.added), [], [list(pair) for pair in changes.moved_out]))
