"""Snapshots: before an apply writes, the sets it will touch are saved as an ordinary spec.

Applying the snapshot is the restore (docs/safety.md): it names each touched set as Canvas
has it now, with every field managed; a set or group the plan renames carries its new name
in `previous_names`, so the restore finds it and renames it back; a set the plan creates is
written `state: absent`, so the restore removes it. The file holds student identifiers, so
it is private: mode 0600, in a directory of mode 0700.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.model import CourseState, Group, GroupSet, Roster
from reconciler.ops import CreateGroupSet, UpdateGroup, UpdateGroupSet
from reconciler.plan import Plan
from reconciler.spec import export_spec

DEFAULT_DIR = Path(".reconciler") / "snapshots"


def snapshot_state(plan: Plan, now: CourseState) -> CourseState:
    """The touched sets as Canvas has them now, ready to be applied back."""
    new_set_names: dict[int | None, str | None] = {
        op.canvas_id: _new_name(op) for op in plan.operations if isinstance(op, UpdateGroupSet)}
    new_group_names: dict[int | None, str | None] = {
        op.canvas_id: _new_name(op) for op in plan.operations if isinstance(op, UpdateGroup)}
    touched = {s.canvas_id for s in plan.baseline.group_sets}
    sets = [_with_previous(s, new_set_names.get(s.canvas_id), new_group_names)
            for s in now.group_sets if s.canvas_id in touched]
    sets += [GroupSet(name=op.set_name, absent=True) for op in plan.operations
             if isinstance(op, CreateGroupSet)]
    return CourseState(course_id=plan.course_id, group_sets=tuple(sets))


def _new_name(op: UpdateGroupSet | UpdateGroup) -> str | None:
    return next((c.new for c in op.changes if c.field == "name"), None)


def _with_previous(gset: GroupSet, new_name: str | None,
                   group_names: dict[int | None, str | None]) -> GroupSet:
    """The set (and its groups) under the name it has now, with the name the plan gives it
    as a previous name: after the apply, that is the name Canvas will show."""
    groups = tuple(_renamed(g, group_names.get(g.canvas_id)) for g in gset.groups)
    update: dict[str, object] = {"groups": groups}
    if new_name:
        update["previous_names"] = (new_name,)
    return gset.model_copy(update=update)


def _renamed(group: Group, new_name: str | None) -> Group:
    return group.model_copy(update={"previous_names": (new_name,)}) if new_name else group


def write_snapshot(plan: Plan, now: CourseState, roster: Roster, directory: Path,
                   moment: datetime | None = None) -> Path:
    """Write the snapshot spec; its path. ConfigError when it cannot be written (then the
    apply must not go ahead)."""
    stamp = (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    text = export_spec(snapshot_state(plan, now), roster, course=plan.course_id,
                       members_by=plan.members_by,
                       header=f"Snapshot taken by `reconciler apply` at {stamp}")
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = _free_name(directory, f"{plan.course_id}-{stamp}")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise ConfigError(f"cannot write the snapshot to {directory}: "
                          f"{exc.strerror or exc}; nothing was written to Canvas") from None
    return path


def _free_name(directory: Path, stem: str) -> Path:
    path, n = directory / f"{stem}.yaml", 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.yaml"
    return path
