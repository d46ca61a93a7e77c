"""Writes only: execute a Plan's operations through a dispatch table -> ApplyReport.

Canvas facts relied on (groups.md §3, §4):
- POST /courses/:id/group_categories and POST /group_categories/:id/groups create; every
  success is 200 with the object's JSON (its `id` goes into the key -> id map).
- PUT /group_categories/:id clears omitted self_signup / auto_leader / group_limit, so an
  update sends every setting, None as "" (cleared); the SIS id is kept when omitted and
  needs manage_sis, so it is sent only when it changes (§3.1, §4.6). PUT /groups/:id leaves omitted
  attributes alone, so a group update sends only its changes.
- PUT /groups/:id members[] replaces the membership; an empty list must be sent as one
  `members[]=` because form encoding drops an empty list (§4.3).
- PUT /groups/:id leader[id]=N sets the leader (who must already be a member), `leader=`
  clears it (§4.4). DELETE /groups/:id and /group_categories/:id soft-delete.
- Category names are unique among active categories, group names are not, and Canvas has no
  idempotency key: an ambiguous create is resolved by re-listing the parent and adopting a
  new object of that name found exactly once, never by a blind second POST.

Plan contract (typed by `PlanLike`, so this module does not import plan.py): `course_id`,
`operations` (already sorted), `set_ids` (set name -> Canvas id of existing sets) and
`group_ids` ((set name, group name) -> Canvas id of existing groups). Optionally
`known_set_ids` / `known_group_ids`: every set and group id of the state the plan was made
from. Adoption never takes one of those, nor an object this apply already created or adopted:
only an object that appeared since the plan was made can be the one an ambiguous POST made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.canvas.api import WriteAPI
from reconciler.canvas.report import ApplyReport, OpOutcome
from reconciler.canvas.translate import AmbiguousWriteError
from reconciler.errors import CanvasAuthError, CanvasError, CanvasNotFoundError
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)

SET_FIELDS: Mapping[str, str] = {"name": "name", "self_signup": "self_signup",
                                 "auto_leader": "auto_leader", "group_limit": "group_limit",
                                 "sis_id": "sis_group_category_id"}
GROUP_FIELDS: Mapping[str, str] = {"name": "name", "description": "description",
                                   "join_level": "join_level",
                                   "max_membership": "max_membership",
                                   "sis_id": "sis_group_id"}
__all__ = ["GROUP_FIELDS", "SET_FIELDS", "ApplyReport", "OpOutcome", "PlanLike", "apply_plan"]

CREATE_ATTEMPTS = 2
Pairs = list[tuple[str, Any]]
GroupKey = tuple[str, str]


class PlanLike(Protocol):
    @property
    def course_id(self) -> int: ...

    @property
    def operations(self) -> Sequence[Operation]: ...

    @property
    def set_ids(self) -> Mapping[str, int]: ...

    @property
    def group_ids(self) -> Mapping[GroupKey, int]: ...


class _Skip(Exception):
    """The operation depends on one that did not happen."""


class _Failed(Exception):
    """The operation failed for a reason that is not a CanvasError."""


@dataclass
class _Run:
    client: WriteAPI
    course_id: int
    set_ids: dict[str, int]
    group_ids: dict[GroupKey, int]
    report: ApplyReport = field(default_factory=ApplyReport)
    lost_sets: set[str] = field(default_factory=set)
    lost_groups: set[GroupKey] = field(default_factory=set)
    lost_members: set[GroupKey] = field(default_factory=set)
    known_sets: set[int] = field(default_factory=set)
    known_groups: set[int] = field(default_factory=set)


# -- form bodies --------------------------------------------------------------------------

def form(settings: Mapping[str, Any], fields: Mapping[str, str], *, clear: bool,
         skip: frozenset[str] = frozenset()) -> Pairs:
    """Settings -> Canvas form pairs in `fields` order. None is omitted (create) or sent
    as "" (update, `clear=True`)."""
    unknown = set(settings) - set(fields)
    if unknown:
        raise _Failed(f"unsupported setting(s): {', '.join(sorted(unknown))}")
    pairs: Pairs = []
    for key, canvas_key in fields.items():
        if key in settings and key not in skip:
            value = settings[key]
            if value is not None or clear:
                pairs.append((canvas_key, "" if value is None else value))
    return pairs


def members_form(members: frozenset[int]) -> Pairs:
    """members[] repeated, sorted; an empty target is one empty members[] (clears all)."""
    return [("members[]", uid) for uid in sorted(members)] or [("members[]", "")]


def leader_form(leader: int | None) -> Pairs:
    return [("leader", "")] if leader is None else [("leader[id]", leader)]


# -- creates with adoption ----------------------------------------------------------------

def _id_of(body: Any) -> int:
    if isinstance(body, dict) and isinstance(body.get("id"), int):
        return int(body["id"])
    raise _Failed("Canvas answered the create without an id")


def _adopt(candidates: list[Any], name: str, known: set[int],
           sis: tuple[str, str | None]) -> int | None:
    """The one listed object named `name` whose id the plan did not know (and whose SIS id
    matches, when the create set one)."""
    sis_key, sis_id = sis
    new = [int(c["id"]) for c in candidates
           if c.get("name") == name and c["id"] not in known
           and (sis_id is None or c.get(sis_key) == sis_id)]
    if len(new) > 1:
        raise _Failed(f"{len(new)} new objects named {name!r} exist after an ambiguous "
                      "create; not guessing which to keep")
    return new[0] if new else None


def _create(post: Callable[[], Any], relist: Callable[[], list[Any]], name: str,
            known: set[int], sis: tuple[str, str | None]) -> tuple[int, str]:
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

def _create_set(run: _Run, op: CreateGroupSet) -> str:
    data = [("name", op.set_name), *form(op.settings, SET_FIELDS, clear=False,
                                           skip=frozenset({"name"}))]
    new_id, detail = _create(
        lambda: run.client.post(f"/api/v1/courses/{run.course_id}/group_categories", data),
        lambda: run.client.get_all(f"/api/v1/courses/{run.course_id}/group_categories"),
        op.set_name, run.known_sets | set(run.set_ids.values()),
        ("sis_group_category_id", op.settings.get("sis_id")))
    run.set_ids[op.set_name] = run.report.created_sets[op.set_name] = new_id
    return detail


def _update_set(run: _Run, op: UpdateGroupSet) -> str:
    """All settings (Canvas resets omitted ones) except the SIS id, which Canvas keeps when
    omitted and which needs manage_sis even to send unchanged: sent only when it changes."""
    sis_changed = any(c.field == "sis_id" for c in op.changes)
    skip = frozenset() if sis_changed else frozenset({"sis_id"})
    data = form({"name": op.set_name, **op.settings}, SET_FIELDS, clear=True, skip=skip)
    run.client.put(f"/api/v1/group_categories/{op.canvas_id}", data)
    return f"updated id={op.canvas_id}"


def _set_id(run: _Run, set_name: str) -> int:
    if set_name in run.lost_sets:
        raise _Skip(f"group set {set_name!r} was not created")
    if set_name not in run.set_ids:
        raise _Failed(f"no Canvas id known for group set {set_name!r}")
    return run.set_ids[set_name]


def _create_group(run: _Run, op: CreateGroup) -> str:
    set_id = _set_id(run, op.set_name)
    data = [("name", op.group_name), *form(op.settings, GROUP_FIELDS, clear=False,
                                             skip=frozenset({"name"}))]
    new_id, detail = _create(
        lambda: run.client.post(f"/api/v1/group_categories/{set_id}/groups", data),
        lambda: run.client.get_all(f"/api/v1/group_categories/{set_id}/groups"),
        op.group_name, run.known_groups | set(run.group_ids.values()),
        ("sis_group_id", op.settings.get("sis_id")))
    key = (op.set_name, op.group_name)
    run.group_ids[key] = run.report.created_groups[key] = new_id
    return detail


def _update_group(run: _Run, op: UpdateGroup) -> str:
    data = form({c.field: c.new for c in op.changes}, GROUP_FIELDS, clear=True)
    if not data:
        return "nothing to change"
    run.client.put(f"/api/v1/groups/{op.canvas_id}", data)
    return f"updated id={op.canvas_id}"


def _group_id(run: _Run, op: SetMembers | SetLeader) -> int:
    if op.canvas_id is not None:
        return op.canvas_id
    key = (op.set_name, op.group_name)
    if key in run.lost_groups or op.set_name in run.lost_sets:
        raise _Skip(f"group {op.group_name!r} in {op.set_name!r} was not created")
    if key not in run.group_ids:
        raise _Failed(f"no Canvas id known for group {op.group_name!r} in {op.set_name!r}")
    return run.group_ids[key]


def _set_members(run: _Run, op: SetMembers) -> str:
    group_id = _group_id(run, op)
    run.client.put(f"/api/v1/groups/{group_id}", members_form(op.members))
    return f"members of id={group_id}: +{len(op.add)} -{len(op.remove)}"


def _set_leader(run: _Run, op: SetLeader) -> str:
    group_id = _group_id(run, op)
    if (op.set_name, op.group_name) in run.lost_members:
        raise _Skip("the group's members were not written, and a leader must be a member")
    run.client.put(f"/api/v1/groups/{group_id}", leader_form(op.leader))
    return f"leader of id={group_id}: {op.leader if op.leader is not None else 'cleared'}"


def _delete(run: _Run, path: str, canvas_id: int) -> str:
    """DELETE is a soft delete; a 404 means it is already gone (e.g. a retried DELETE whose
    first response was lost), which is the state the plan wants."""
    try:
        run.client.delete(path)
    except CanvasNotFoundError:
        return f"id={canvas_id} was already gone"
    return f"deleted id={canvas_id}"


def _delete_group(run: _Run, op: DeleteGroup) -> str:
    return _delete(run, f"/api/v1/groups/{op.canvas_id}", op.canvas_id)


def _delete_set(run: _Run, op: DeleteGroupSet) -> str:
    return _delete(run, f"/api/v1/group_categories/{op.canvas_id}", op.canvas_id)


HANDLERS: Mapping[type, Callable[[_Run, Any], str]] = {
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


def _run_one(run: _Run, op: Operation) -> OpOutcome:
    try:
        return OpOutcome("done", HANDLERS[type(op)](run, op))
    except _Skip as exc:
        return OpOutcome("skipped", str(exc))
    except _Failed as exc:
        return OpOutcome("failed", str(exc))
    except CanvasError as exc:
        return OpOutcome("failed", _failure_detail(op, exc))


def _mark_lost(run: _Run, op: Operation) -> None:
    """Remember what did not happen so dependent operations are skipped."""
    if isinstance(op, CreateGroupSet):
        run.lost_sets.add(op.set_name)
    elif isinstance(op, CreateGroup):
        run.lost_groups.add((op.set_name, op.group_name))
    elif isinstance(op, SetMembers):
        run.lost_members.add((op.set_name, op.group_name))


def apply_plan(
    client: WriteAPI,
    plan: PlanLike,
    *,
    on_progress: Callable[[Operation, OpOutcome], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ApplyReport:
    """Run every operation in order. A failure does not stop independent operations;
    dependants are skipped with a reason; `should_stop()` (checked between operations)
    skips the rest as "interrupted". Verification is the engine's job."""
    run = _Run(client, plan.course_id, dict(plan.set_ids), dict(plan.group_ids),
               known_sets=set(getattr(plan, "known_set_ids", ())),
               known_groups=set(getattr(plan, "known_group_ids", ())))
    stopped = False
    for op in plan.operations:
        stopped = stopped or bool(should_stop and should_stop())
        outcome = OpOutcome("skipped", "interrupted") if stopped else _run_one(run, op)
        if outcome.status != "done":
            _mark_lost(run, op)
        run.report.record(op, outcome)
        if on_progress is not None:
            on_progress(op, outcome)
    return run.report
