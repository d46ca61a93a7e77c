"""Orchestration: load → fetch → diff → plan → check → apply → verify.

Returns values and raises ReconcilerErrors; never prints (cli.py does that).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reconciler import spec as speclib
from reconciler.canvas.api import WriteAPI
from reconciler.canvas.apply import ApplyReport, OpOutcome, apply_plan
from reconciler.canvas.fetch import fetch_roster, fetch_state, resolve_course_id
from reconciler.diff import diff, drift, implicit_moves
from reconciler.document import plan_to_dict
from reconciler.errors import ApplyError, ConvergenceError, ReconcilerError, StalePlanError
from reconciler.model import CourseState, MemberKind, Roster
from reconciler.ops import Operation
from reconciler.plan import Plan, build_plan, check_safety
from reconciler.render import render
from reconciler.semantics import move_warnings

# Everything engine needs from Canvas: the client's reads and writes (a narrow seam, so
# tests can pass any object with these five calls).
Canvas = WriteAPI


@dataclass(frozen=True)
class PlanResult:
    """A plan and everything it was made from."""

    plan: Plan
    spec: speclib.Spec
    desired: CourseState
    current: CourseState
    roster: Roster


@dataclass(frozen=True)
class ApplyResult:
    """An apply that converged: the plan it ran and the report of every operation."""

    plan: Plan
    report: ApplyReport


def validate(path: Path) -> speclib.Spec:
    """Offline checks only: syntax, schema and semantics."""
    return speclib.load(path)


def validate_online(path: Path, client: Canvas) -> CourseState:
    """Offline checks plus identity resolution against the live roster. Reads only."""
    return _read(speclib.load(path), client)[2]


def make_plan(path: Path, client: Canvas) -> PlanResult:
    """Read the spec and Canvas (reads only) and work out what would change."""
    return plan_loaded(speclib.load(path), client)


def _read(spec: speclib.Spec, client: Canvas) -> tuple[Roster, CourseState, CourseState]:
    """The course's roster, its current state, and the spec resolved against both."""
    course_id = resolve_course_id(client, spec.course)
    roster = fetch_roster(client, course_id)
    current = fetch_state(client, course_id)
    desired = speclib.resolve(spec, roster, course_id, current=current,
                              sections=roster.section_ids())
    return roster, current, desired


def plan_loaded(spec: speclib.Spec, client: Canvas) -> PlanResult:
    roster, current, desired = _read(spec, client)
    labels = roster.labels(_label_kind(spec.members_by)) | speclib.member_labels(spec, roster)
    ops = diff(desired, current)
    moves = move_warnings(implicit_moves(current, ops), labels)
    warnings = (*speclib.warnings(spec), *drift(desired, current), *moves)
    plan = build_plan(ops, current, labels, warnings)
    return PlanResult(plan, spec, desired, current, roster)


def apply(
    path: Path,
    client: Canvas,
    *,
    allow_delete: bool,
    confirm: Callable[[Plan], bool],
    on_progress: Callable[[Operation, OpOutcome], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    saved: Plan | None = None,
) -> ApplyResult | None:
    """Plan, check safety, ask, write, then re-read Canvas and verify it converged.

    With `saved` (a plan file someone reviewed), refuse unless planning now gives exactly
    that plan from exactly the same Canvas state. `confirm` sees every plan, empty ones
    included (it is where the plan is shown). Returns None when there was nothing to do or
    the user declined.
    """
    planned = make_plan(path, client)
    plan = planned.plan
    if saved is not None:
        _require_same_plan(saved, plan)
    check_safety(plan, allow_delete=allow_delete)
    # confirm also shows the plan, so it is asked even when there is nothing to do
    if not confirm(plan) or plan.is_empty:
        return None
    report = apply_plan(client, plan, on_progress=on_progress, should_stop=should_stop)
    try:
        residual = _verify(planned, client)
    except ReconcilerError as exc:  # the writes happened: never lose their account
        raise ApplyError(_unverified_summary(report, exc), report) from exc
    if not report.ok:
        raise ApplyError(_report_summary(report), report)
    if not residual.is_empty:
        raise ConvergenceError(_residual_message(residual), report, residual)
    return ApplyResult(plan, report)


def _verify(planned: PlanResult, client: Canvas) -> Plan:
    """What still differs from the state the plan aimed at. Only the groups are read again:
    the roster and the resolved target do not change during an apply."""
    current = fetch_state(client, planned.desired.course_id)
    return build_plan(diff(planned.desired, current), current, planned.plan.labels)


def export(client: Canvas, course: int | str, members_by: MemberKind) -> str:
    """The live course as a spec; planning that file shows no changes."""
    course_id = resolve_course_id(client, course)
    roster = fetch_roster(client, course_id)
    state = fetch_state(client, course_id)
    return speclib.export_spec(state, roster, course=course, members_by=members_by)


def _label_kind(members_by: MemberKind) -> MemberKind:
    """How the plan names users the spec does not name (people being removed): like the
    spec does, except that an email the spec does not hold is never shown (SIS id instead;
    `canvas:ID` when that is hidden)."""
    return "sis_user_id" if members_by == "email" else members_by


def _require_same_plan(saved: Plan, now: Plan) -> None:
    if saved.course_id != now.course_id:
        raise StalePlanError(f"the saved plan is for course {saved.course_id}, "
                             f"the spec for course {now.course_id}")
    if saved.fingerprint != now.fingerprint:
        raise StalePlanError("Canvas has changed since the plan was saved; "
                             "run plan again and review the new plan")
    if plan_to_dict(saved)["operations"] != plan_to_dict(now)["operations"]:
        raise StalePlanError("the spec no longer gives the saved plan; "
                             "run plan again and review the new plan")


def _report_summary(report: ApplyReport) -> str:
    counts = report.counts()
    return (
        f"apply stopped short: {counts['done']} done, {counts['failed']} failed, "
        f"{counts['skipped']} skipped. Re-run apply to finish; it plans only what is left."
    )


def _unverified_summary(report: ApplyReport, exc: ReconcilerError) -> str:
    counts = report.counts()
    return (
        f"apply ran ({counts['done']} done, {counts['failed']} failed, "
        f"{counts['skipped']} skipped), but Canvas could not be read back to verify it: "
        f"{exc.message}. Re-run apply to finish; it plans only what is left."
    )


def _residual_message(residual: Plan) -> str:
    return (
        "apply finished, but Canvas still differs from the spec (Canvas silently drops "
        "members it rejects: a user not enrolled, a full group, a section restriction):\n"
        + render(residual, "text")
    )
