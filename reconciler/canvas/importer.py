"""Executing an ImportMembers operation: Canvas's group-set CSV import (Q-CSV-IMPORT).

POST /api/v1/group_categories/:id/import with the CSV as the body answers a Progress; the
job runs later (imports of one course one after another), so its Progress is polled at
GET /api/v1/progress/:id until `completed` or `failed` (Q-PROGRESS). An import whose
Progress shows no change for `Run.stall_after` seconds counts as failed: a re-run plans what
is left. Groups the import created are found afterwards by name in the set's listing, so
later operations (leaders) have their ids.
"""

from __future__ import annotations

from reconciler.canvas import wire
from reconciler.canvas.progress import Stalled, await_progress
from reconciler.canvas.run import Failed, Run
from reconciler.ops import ImportMembers
from reconciler.wording import plural


def import_members(run: Run, op: ImportMembers) -> str:
    set_id = run.set_id(op.set_name, op.set_id)
    rows, missing = _rows(run, op)
    if rows:
        answer = run.client.post_csv(f"/api/v1/group_categories/{set_id}/import",
                                     wire.import_csv(rows))
        try:
            done = await_progress(run.client, wire.progress(answer), run.stall_after,
                                  f"the import into {op.set_name!r}")
        except Stalled as stalled:
            raise Failed(f"the import (progress {stalled.progress.id}) made no progress for "
                         f"{stalled.seconds:g} s; a re-run plans what is left") from None
        if done.state != "completed":
            raise Failed(f"the import ended {done.state}: {wire.import_error(done.message)}")
        _learn_created(run, op, set_id)
    if missing:
        raise Failed(f"imported {plural(len(rows), 'member')}; the rows for "
                     f"{', '.join(map(repr, missing))} were left out: those groups were not "
                     "created")
    return (f"imported {plural(len(rows), 'member')} into "
            f"{plural(len(op.groups), 'group')}")


def _rows(run: Run, op: ImportMembers) -> tuple[list[tuple[int, int | None, str]], list[str]]:
    rows: list[tuple[int, int | None, str]] = []
    missing: list[str] = []
    for group in op.groups:
        key = (op.set_name, group.group_name)
        if key in run.lost_groups:
            missing.append(group.group_name)
            continue
        gid = group.canvas_id or run.report.created_groups.get(key)
        rows.extend((uid, gid, group.group_name) for uid in sorted(group.add))
    return rows, missing


def _learn_created(run: Run, op: ImportMembers, set_id: int) -> None:
    """The ids of the groups the import made, by name, among the set's groups that no
    plan knew (group names are not unique, Q-SET-NAMES)."""
    made = [g.group_name for g in op.groups if g.creates]
    if not made:
        return
    known = run.known_groups | set(run.report.created_groups.values())
    listing = run.client.get_all(f"/api/v1/group_categories/{set_id}/groups")
    for name in made:
        found = [row["id"] for row in listing if isinstance(row, dict)
                 and row.get("name") == name and isinstance(row.get("id"), int)
                 and row["id"] not in known]
        if len(found) != 1:
            raise Failed(f"after the import, {len(found)} new groups are named {name!r} in "
                         f"{op.set_name!r}; not guessing which is the one")
        run.report.created_groups[(op.set_name, name)] = found[0]
