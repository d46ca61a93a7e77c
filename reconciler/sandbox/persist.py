"""Save and load the emulator state as JSON, atomically (temp file + rename).

With `SandboxServer(state_file=...)` the server saves after every write, so a `plan` process
and a later `apply` process see one Canvas. A column added to an entity later has a default,
and a row saved before it existed loads with that default (e.g. a section's `sis_id`), so old
state files stay loadable without a format bump; so does a table added later (`progress`,
`import_jobs`), which loads empty. Pending import jobs are saved with their file, but their
times are monotonic readings of the process that saved them: on load each job starts over
(its full duration ahead once its turn comes), in its old order.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.entities import (
    Course,
    Enrollment,
    Group,
    GroupCategory,
    ImportJob,
    Membership,
    Progress,
    Section,
    User,
    WriteEvent,
)

if TYPE_CHECKING:
    from reconciler.sandbox.state import EmulatorState

FORMAT_VERSION = 1
TABLE_TYPES: dict[str, type[Any]] = {
    "courses": Course,
    "sections": Section,
    "users": User,
    "enrollments": Enrollment,
    "categories": GroupCategory,
    "groups": Group,
    "memberships": Membership,
    "progress": Progress,
    "import_jobs": ImportJob,
}


def state_to_dict(state: EmulatorState) -> dict[str, Any]:
    tables = {name: [dataclasses.asdict(row) for row in getattr(state.t, name).values()]
              for name in TABLE_TYPES}
    return {
        "format": FORMAT_VERSION,
        "counters": state.counters,
        "permission_status": state.permission_status,
        "user_tokens": dict(sorted(state.user_tokens.items())),
        "tables": tables,
        "write_log": [dataclasses.asdict(event) for event in state.write_log],
    }


def state_from_dict(data: dict[str, Any], state: EmulatorState) -> EmulatorState:
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported sandbox state format: {data.get('format')!r}")
    state.counters.update(data["counters"])
    state.permission_status = int(data.get("permission_status", 403))
    state.user_tokens = {str(k): int(v) for k, v in data.get("user_tokens", {}).items()}
    for name, row_type in TABLE_TYPES.items():
        table = getattr(state.t, name)
        for row in data["tables"].get(name, []):
            table[row["id"]] = row_type(**row)
    state.write_log = [WriteEvent(**event) for event in data.get("write_log", [])]
    state.reindex()
    _restart_jobs(state)
    return state


def _restart_jobs(state: EmulatorState) -> None:
    now = state.clock.monotonic()
    for job in state.t.import_jobs.values():
        job.enqueued_at, job.started_at = now, None


def save_state(state: EmulatorState, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(state_to_dict(state), indent=1, sort_keys=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StateFileError(Exception):
    """A state file that cannot be read back: not JSON, another format, or damaged."""


def load_state(path: Path, state: EmulatorState) -> EmulatorState:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StateFileError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
                             ) from None
    try:
        return state_from_dict(json.loads(text), state)
    except json.JSONDecodeError as exc:
        raise StateFileError(f"{path} is not an emulator state file (not JSON: line "
                             f"{exc.lineno}: {exc.msg})") from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise StateFileError(f"{path} is not a state file this emulator can read "
                             f"({type(exc).__name__}: {exc})") from None
