"""Writes only: execute a Plan's operations through a dispatch table -> ApplyReport.

How each operation becomes a request body is wire.py's business. Canvas facts relied on
(docs/canvas-quirks.md):
- POST /courses/:id/group_categories and POST /group_categories/:id/groups create; every
  success is 200 with the object's JSON (Q-SUCCESS-200), whose `id` later operations use.
- PUT /groups/:id members[] replaces the membership (Q-MEMBERS-REPLACE); `leader[id]=N`
  sets a leader who must already be a member, `leader=` clears it (Q-LEADER).
  DELETE /groups/:id and /group_categories/:id soft-delete (Q-SOFT-DELETE).
- Category names are unique among active categories, group names are not, and Canvas has no
  idempotency key (Q-NO-IDEMPOTENCY): an ambiguous create is resolved by re-listing the
  parent and adopting a new object of that name found exactly once, never by a blind
  second POST.

Plan contract (`PlanLike`, so this module does not import plan.py): `course_id`,
`operations` (already sorted), and `known_set_ids` / `known_group_ids`, the ids of every set
and group in the state the plan was made from. Adoption never takes one of those, nor an
object this apply already created or adopted: only an object that appeared since the plan
was made can be the one an ambiguous POST made. Operations name existing parents by id and
parents created in the same plan by key; created ids are kept in the report.

Every operation ends done, failed or skipped, whatever goes wrong inside it: an unexpected
error is a failed operation, never an exception that would lose the report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Protocol

from reconciler.canvas import wire
from reconciler.canvas.api import WriteAPI
from reconciler.canvas.importer import import_members
from reconciler.canvas.report import ApplyReport, OpOutcome
from reconciler.canvas.run import STALL_AFTER, Failed, Run, Skip
from reconciler.errors import (
    AmbiguousWriteError,
    CanvasAuthError,
    CanvasError,
    CanvasNotFoundError,
    ReconcilerError,
)
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.schedule import dependencies

__all__ = ["HANDLERS", "ApplyReport", "OpOutcome", "PlanLike", "apply_plan"]

CREATE_ATTEMPTS = 2


class PlanLike(Protocol):
    @property
    def course_id(self) -> int: ...

    @property
    def operations(self) -> Sequence[Operation]: ...

    @property
    def known_set_ids(self) -> frozenset[int]: ...

    @property
    def known_group_ids(self) -> frozenset[int]: ...


# -- creates with adoption ----------------------------------------------------------------

def _id_of(body: Any) -> int:
    if isinstance(body, dict) and isinstance(body.get("id"), int):
        return int(body["id"])
    raise Failed("Canvas answered the create without an id")


def _adopt(candidates: list[Any], name: str, known: Collection[int],
           sis: tuple[str, str | None]) -> int | None:
    """The one listed object named `name` whose id the plan did not know (and whose SIS id
    matches, when the create set one)."""
    sis_key, sis_id = sis
    new = [c["id"] for c in candidates
           if isinstance(c, dict) and isinstance(c.get("id"), int) and c.get("name") == name
           and c["id"] not in known and (sis_id is None or c.get(sis_key) == sis_id)]
    if len(new) > 1:
        raise Failed(f"{len(new)} new objects named {name!r} exist after an ambiguous "
                      "create; not guessing which to keep")
    return new[0] if new else None


def _create(post: Callable[[], Any], relist: Callable[[], list[Any]], name: str,
            known: Collection[int], sis: tuple[str, str | None]) -> tuple[int, str]:
    """POST; on an ambiguous failure re-list and adopt, else POST once more."""
    last: AmbiguousWriteError | None = None
    for _ in range(CREATE_ATTEMPTS):
        try:
            new_id = _id_of(post())
            return new_id, f"created id={new_id}"
        except AmbiguousWriteError as exc:
            last = exc
            adopted = _adopt(relist(), name, known, sis)
            if adopted is not None:
                return adopted, f"adopted id={adopted} after an ambiguous create"
    assert last is not None
    raise last


# -- handlers -----------------------------------------------------------------------------

def _create_set(run: Run, op: CreateGroupSet) -> str:
    data = wire.GROUP_SET.create_form(op.set_name, op.settings)
    sis_key = wire.GROUP_SET.field("sis_id").key
    new_id, detail = _create(
        lambda: run.client.post(f"/api/v1/courses/{run.course_id}/group_categories", data),
        lambda: run.client.get_all(f"/api/v1/courses/{run.course_id}/group_categories"),
        op.set_name, run.known_sets | set(run.report.created_sets.values()),
        (sis_key, op.settings.get("sis_id")))
    run.report.created_sets[op.set_name] = new_id
    return detail


def _update_set(run: Run, op: UpdateGroupSet) -> str:
    data = wire.GROUP_SET.update_form({c.field: c.new for c in op.changes}, op.current)
    run.client.put(f"/api/v1/group_categories/{op.canvas_id}", data)
    return f"updated id={op.canvas_id}"


def _create_group(run: Run, op: CreateGroup) -> str:
    set_id = run.set_id(op.set_name, op.set_id)
    data = wire.GROUP.create_form(op.group_name, op.settings)
    sis_key = wire.GROUP.field("sis_id").key
    new_id, detail = _create(
        lambda: run.client.post(f"/api/v1/group_categories/{set_id}/groups", data),
        lambda: run.client.get_all(f"/api/v1/group_categories/{set_id}/groups"),
        op.group_name, run.known_groups | set(run.report.created_groups.values()),
        (sis_key, op.settings.get("sis_id")))
    run.report.created_groups[(op.set_name, op.group_name)] = new_id
    return detail


def _update_group(run: Run, op: UpdateGroup) -> str:
    data = wire.GROUP.update_form({c.field: c.new for c in op.changes}, {})
    if not data:
        return "nothing to change"
    run.client.put(f"/api/v1/groups/{op.canvas_id}", data)
    return f"updated id={op.canvas_id}"


def _group_id(run: Run, op: SetMembers | SetLeader) -> int:
    if op.canvas_id is not None:
        return op.canvas_id
    key = (op.set_name, op.group_name)
    if key in run.lost_groups or op.set_name in run.lost_sets:
        raise Skip(f"group {op.group_name!r} in {op.set_name!r} was not created")
    if key not in run.report.created_groups:
        raise Failed(f"no Canvas id known for group {op.group_name!r} in {op.set_name!r}")
    return run.report.created_groups[key]


def _set_members(run: Run, op: SetMembers) -> str:
    group_id = _group_id(run, op)
    run.client.put(f"/api/v1/groups/{group_id}", wire.members_form(op.members))
    return f"members of id={group_id}: +{len(op.add)} -{len(op.remove)}"


def _set_leader(run: Run, op: SetLeader) -> str:
    group_id = _group_id(run, op)
    if (op.set_name, op.group_name) in run.lost_members:
        raise Skip("the group's members were not written, and a leader must be a member")
    run.client.put(f"/api/v1/groups/{group_id}", wire.leader_form(op.leader))
    return f"leader of id={group_id}: {op.leader if op.leader is not None else 'cleared'}"


def _delete(run: Run, path: str, canvas_id: int) -> str:
    """DELETE is a soft delete; a 404 means it is already gone (e.g. a retried DELETE whose
    first response was lost), which is the state the plan wants."""
    try:
        run.client.delete(path)
    except CanvasNotFoundError:
        return f"id={canvas_id} was already gone"
    return f"deleted id={canvas_id}"


def _delete_group(run: Run, op: DeleteGroup) -> str:
    return _delete(run, f"/api/v1/groups/{op.canvas_id}", op.canvas_id)


def _delete_set(run: Run, op: DeleteGroupSet) -> str:
    return _delete(run, f"/api/v1/group_categories/{op.canvas_id}", op.canvas_id)


HANDLERS: Mapping[type, Callable[[Run, Any], str]] = {
    ImportMembers: import_members,
    CreateGroupSet: _create_set,
    UpdateGroupSet: _update_set,
    CreateGroup: _create_group,
    UpdateGroup: _update_group,
    SetMembers: _set_members,
    SetLeader: _set_leader,
    DeleteGroup: _delete_group,
    DeleteGroupSet: _delete_set,
}


# -- the loop -----------------------------------------------------------------------------

def _failure_detail(op: Operation, exc: CanvasError) -> str:
    detail = exc.message
    if isinstance(op, CreateGroupSet) and isinstance(exc, CanvasAuthError) \
            and op.settings.get("sis_id") is not None:
        detail += ("\n  note: Canvas saves a new group set before checking manage_sis, so it "
                   "may now exist without its SIS id; run plan again")
    elif _writes_sis_id(op) and (isinstance(exc, CanvasAuthError) or (exc.status or 0) >= 500):
        detail += ("\n  note: setting an SIS id needs the manage_sis permission on the root "
                   "account (docs/permissions.md); without it Canvas refuses, or may fail "
                   "with a server error")
    return detail


def _writes_sis_id(op: Operation) -> bool:
    if isinstance(op, CreateGroup):
        return op.settings.get("sis_id") is not None
    if isinstance(op, UpdateGroupSet | UpdateGroup):
        return any(change.field == "sis_id" for change in op.changes)
    return False


def _run_one(run: Run, op: Operation) -> OpOutcome:
    handler = HANDLERS.get(type(op))
    if handler is None:
        return OpOutcome("failed", f"internal error: no handler for {type(op).__name__}")
    try:
        return OpOutcome("done", handler(run, op))
    except Skip as exc:
        return OpOutcome("skipped", str(exc))
    except Failed as exc:
        return OpOutcome("failed", str(exc))
    except CanvasError as exc:
        return OpOutcome("failed", _failure_detail(op, exc))
    except ReconcilerError as exc:
        return OpOutcome("failed", exc.message)
    except Exception as exc:  # a bug must not lose the report of what was written
        return OpOutcome("failed", f"internal error: {type(exc).__name__}: {exc}")


def _mark_lost(run: Run, op: Operation) -> None:
    """Remember what did not happen so dependent operations are skipped."""
    if isinstance(op, CreateGroupSet):
        run.lost_sets.add(op.set_name)
    elif isinstance(op, CreateGroup):
        run.lost_groups.add((op.set_name, op.group_name))
    elif isinstance(op, SetMembers):
        run.lost_members.add((op.set_name, op.group_name))
    elif isinstance(op, ImportMembers):
        run.lost_members.update((op.set_name, g.group_name) for g in op.groups)
        run.lost_groups.update((op.set_name, g.group_name) for g in op.groups if g.creates)


def apply_plan(
    client: WriteAPI,
    plan: PlanLike,
    *,
    on_progress: Callable[[Operation, OpOutcome], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    stall_after: float = STALL_AFTER,
) -> ApplyReport:
    """Run every operation, side by side where the schedule allows (schedule.py: an
    operation starts once everything it depends on has finished, on the client's pool).
    A failure does not stop independent operations; dependants are skipped with a reason.
    Once `should_stop()` is true nothing new starts, the requests in flight finish, and
    the rest is skipped as "interrupted". The report lists operations in plan order.
    Verification is the engine's job."""
    run = Run(client, plan.course_id, plan.known_set_ids, plan.known_group_ids,
              stall_after=stall_after)
    ops = list(plan.operations)
    graph = dependencies(ops)
    outcomes: dict[int, OpOutcome] = {}
    lock = threading.Lock()

    def task(i: int) -> None:
        outcome = _run_one(run, ops[i])
        with lock:  # one at a time: the skip sets, the report and the progress callback
            _finish(run, ops[i], outcome, outcomes, i, on_progress)

    stop = should_stop or (lambda: False)
    never = client.pool.run_graph(len(ops), graph.__getitem__, task, stop)
    for i in never:
        _finish(run, ops[i], OpOutcome("skipped", "interrupted"), outcomes, i, on_progress)
    for i in sorted(outcomes):
        run.report.record(ops[i], outcomes[i])
    return run.report


def _finish(run: Run, op: Operation, outcome: OpOutcome, outcomes: dict[int, OpOutcome],
            i: int, on_progress: Callable[[Operation, OpOutcome], None] | None) -> None:
    if outcome.status != "done":
        _mark_lost(run, op)
    outcomes[i] = outcome
    if on_progress is not None:
        on_progress(op, outcome)
