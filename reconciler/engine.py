"""Orchestration: load → fetch → diff → plan → check → apply → verify.

Returns values and raises ReconcilerErrors; never prints (cli.py does that). A plan is
applied the same way whether it was made a moment ago or read from a saved file: Canvas is
read first and the plan refused (StalePlanError, with what moved) if its baseline moved;
then the guards, the caller's confirmation, a snapshot of what will be overwritten, the
writes, and a re-read that verifies the result against the plan's desired state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from reconciler import spec as speclib
from reconciler.bulk import use_import
from reconciler.canvas.api import WriteAPI
from reconciler.canvas.apply import ApplyReport, OpOutcome, apply_plan
from reconciler.canvas.fetch import (
    caller_is_section_limited,
    fetch_roster,
    fetch_state,
    read_course,
    resolve_course_id,
)
from reconciler.canvas.run import STALL_AFTER
from reconciler.diff import diff, drift, implicit_moves
from reconciler.document import plan_to_dict
from reconciler.errors import (
    ApplyError,
    ConfigError,
    ConvergenceError,
    ReconcilerError,
    StalePlanError,
    UnsafePlanError,
)
from reconciler.guards import DEFAULT_LIMITS, Limits, check_safety, threshold_warnings
from reconciler.hints import notes, rename_hints
from reconciler.model import CourseState, MemberKind, Roster
from reconciler.ops import Operation, SetMembers
from reconciler.plan import Plan, build_plan
from reconciler.render import render
from reconciler.semantics import importable, move_warnings
from reconciler.snapshot import write_snapshot
from reconciler.staleness import changes_since

# Everything engine needs from Canvas: the client's reads and writes (a narrow seam, so
# tests can pass any object with these five calls).
Canvas = WriteAPI
Confirm = Callable[[Plan], bool]
Progress = Callable[[Operation, OpOutcome], None]


@dataclass(frozen=True)
class PlanResult:
    """A plan and everything it was made from."""

    plan: Plan
    spec: speclib.Spec
    desired: CourseState
    current: CourseState
    roster: Roster


@dataclass(frozen=True)
class ApplyOptions:
    """What an apply is allowed to do, and where its snapshot goes (None: no snapshot)."""

    allow_delete: bool = False
    force: bool = False
    limits: Limits = DEFAULT_LIMITS
    snapshot_dir: Path | None = None
    bulk: bool = True  # False: never the CSV import (--no-bulk)
    stall_after: float = STALL_AFTER  # seconds an import may show no progress
    only_sets: frozenset[str] | None = None  # --group-set: plan and write only these sets


@dataclass(frozen=True)
class ApplyResult:
    """An apply that converged: the plan it ran, the report of every operation, and the
    snapshot written before the first write."""

    plan: Plan
    report: ApplyReport
    snapshot: Path | None = None


def validate(path: Path) -> speclib.Spec:
    """Offline checks only: syntax, schema and semantics."""
    return speclib.load(path)


def validate_online(path: Path, client: Canvas) -> CourseState:
    """Offline checks plus identity resolution against the live roster. Reads only."""
    return _read(speclib.load(path), client, STALL_AFTER)[2]


def make_plan(path: Path, client: Canvas, limits: Limits = DEFAULT_LIMITS,
              *, bulk: bool = True, settle_within: float = STALL_AFTER,
              only_sets: frozenset[str] | None = None) -> PlanResult:
    """Read the spec and Canvas (reads only) and work out what would change."""
    return plan_loaded(speclib.load(path), client, limits, bulk=bulk,
                       settle_within=settle_within, only_sets=only_sets)


def _read(spec: speclib.Spec, client: Canvas,
          settle_within: float) -> tuple[Roster, CourseState, CourseState]:
    """The course's roster, its current state, and the spec resolved against both."""
    course_id = resolve_course_id(client, spec.course)
    roster, current = read_course(client, course_id, sections=spec.needs_sections,
                                  settle_within=settle_within)
    desired = speclib.resolve(spec, roster, course_id, current=current,
                              sections=roster.section_ids() if spec.needs_sections else None)
    return roster, current, desired


def plan_loaded(spec: speclib.Spec, client: Canvas, limits: Limits = DEFAULT_LIMITS,
                *, bulk: bool = True, settle_within: float = STALL_AFTER,
                only_sets: frozenset[str] | None = None) -> PlanResult:
    """The plan for a loaded spec; `bulk` lets the group-set CSV import carry the member
    writes it can (bulk.py); an import still running in Canvas is waited for until it
    shows no progress for `settle_within` seconds (then StateError). With `only_sets`,
    the spec's other sets are left out, as if it did not name them (Terraform's -target)."""
    roster, current, named = _read(spec, client, settle_within)
    desired = named if only_sets is None else _only(named, only_sets, spec)
    labels = roster.labels(_label_kind(spec.members_by)) | speclib.member_labels(spec, roster)
    ops = diff(desired, current)
    warnings = (*speclib.warnings(spec), *drift(desired, current),
                *move_warnings(implicit_moves(current, ops), labels),
                *rename_hints(current, desired, ops))
    if bulk:
        ops = use_import(ops, current, importable(roster))
    plan = build_plan(ops, current, labels, warnings, desired=desired,
                      notes=notes(named, current), members_by=spec.members_by)
    plan = replace(plan, warnings=(*plan.warnings, *threshold_warnings(plan, limits)))
    return PlanResult(plan, spec, desired, current, roster)


def _only(desired: CourseState, names: frozenset[str], spec: speclib.Spec) -> CourseState:
    known = {s.name for s in desired.group_sets}
    unknown = sorted(names - known)
    if unknown:
        listed = ", ".join(repr(n) for n in sorted(known)) or "none"
        raise ConfigError(f"the spec for course {spec.course} has no group set named "
                          f"{', '.join(map(repr, unknown))} (--group-set); its sets: {listed}")
    return desired.model_copy(update={"group_sets": tuple(
        s for s in desired.group_sets if s.name in names)})


@dataclass(frozen=True)
class CoursePlan:
    """One course of a many-course run: its plan, or the error that stopped it."""

    path: Path
    plan: Plan | None = None
    error: ReconcilerError | None = None


def plan_many(paths: Iterable[Path], client: Canvas, limits: Limits = DEFAULT_LIMITS,
              *, bulk: bool = True,
              only_sets: frozenset[str] | None = None) -> Iterator[CoursePlan]:
    """Plan every spec, courses side by side on the client's pool (one token, one throttle
    bucket), yielding each course's plan in `paths` order as it is ready. A course that
    fails is reported and the others go on. Only the plan is kept of each course: its
    roster and state are dropped as soon as it is made, so memory stays flat."""
    def one(path: Path) -> CoursePlan:
        try:
            return CoursePlan(path, make_plan(path, client, limits, bulk=bulk,
                                              only_sets=only_sets).plan)
        except ReconcilerError as exc:
            return CoursePlan(path, error=exc)

    yield from client.pool.imap(one, paths)


def apply(path: Path, client: Canvas, *, confirm: Confirm,
          options: ApplyOptions = ApplyOptions(), on_progress: Progress | None = None,
          should_stop: Callable[[], bool] | None = None,
          saved: Plan | None = None) -> ApplyResult | None:
    """Plan the spec, then apply the plan (see apply_plan_now).

    With `saved` (a plan file someone reviewed), refuse unless Canvas is as it was when the
    saved plan was made and planning now gives exactly that plan; then apply the saved one.
    Returns None when there was nothing to do or the user declined.
    """
    planned = make_plan(path, client, options.limits, bulk=options.bulk,
                        only_sets=options.only_sets)
    plan = planned.plan
    if saved is not None:
        _require_same_plan(saved, planned)
        plan = saved
    return apply_plan_now(plan, client, confirm=confirm, options=options,
                          on_progress=on_progress, should_stop=should_stop,
                          current=planned.current, roster=planned.roster)


def apply_saved(plan: Plan, client: Canvas, *, confirm: Confirm,
                options: ApplyOptions = ApplyOptions(), on_progress: Progress | None = None,
                should_stop: Callable[[], bool] | None = None) -> ApplyResult | None:
    """Apply a plan read from a file (no spec): Canvas is read first, and the plan refused
    with what moved if anything it depends on changed since it was made."""
    current = fetch_state(client, plan.course_id)
    return apply_plan_now(plan, client, confirm=confirm, options=options,
                          on_progress=on_progress, should_stop=should_stop, current=current)


def apply_plan_now(plan: Plan, client: Canvas, *, confirm: Confirm,
                   options: ApplyOptions = ApplyOptions(), on_progress: Progress | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   current: CourseState, roster: Roster | None = None) -> ApplyResult | None:
    """Check, ask, snapshot, write, verify. `current` is Canvas as just read.

    `confirm` sees every plan, empty ones included (it is where the plan is shown)."""
    moved = changes_since(plan, current)
    if moved:
        raise StalePlanError("Canvas has changed since the plan was made:\n"
                             + "\n".join(f"  {line}" for line in moved)
                             + "\nRun plan again and review the new plan.", plan, moved)
    check_safety(plan, allow_delete=options.allow_delete, force=options.force,
                 limits=options.limits)
    _require_whole_view(plan, client)
    if not confirm(plan) or plan.is_empty:
        return None
    snapshot = None
    if options.snapshot_dir is not None:
        roster = roster if roster is not None else fetch_roster(client, plan.course_id)
        snapshot = write_snapshot(plan, current, roster, options.snapshot_dir)
    report = apply_plan(client, plan, on_progress=on_progress, should_stop=should_stop,
                        stall_after=options.stall_after)
    try:
        residual = _verify(plan, client, options.stall_after)
    except ReconcilerError as exc:  # the writes happened: never lose their account
        raise ApplyError(_unverified_summary(report, exc), report) from exc
    if not report.ok:
        raise ApplyError(_report_summary(report), report)
    if not residual.is_empty:
        raise ConvergenceError(_residual_message(residual), report, residual)
    return ApplyResult(plan, report, snapshot)


def _require_whole_view(plan: Plan, client: Canvas) -> None:
    """A section-limited caller sees only part of each group; a members[] write built from
    that view would remove the members it cannot see (Q-SECTION-LIMITED)."""
    if not any(isinstance(op, SetMembers) for op in plan.operations):
        return
    if caller_is_section_limited(client, plan.course_id):
        raise UnsafePlanError(
            f"the token's user is limited to their own sections in course {plan.course_id} "
            "(limit_privileges_to_course_section), so Canvas shows it only part of each "
            "group; writing these members would remove the students it cannot see. Nothing "
            "was written. Use a token whose user sees the whole course (a teacher or an "
            "admin without the section limit).", plan)


def _verify(plan: Plan, client: Canvas, stall_after: float) -> Plan:
    """What still differs from the state the plan aimed at. Only the groups are read again:
    the roster and the resolved target do not change during an apply."""
    current = fetch_state(client, plan.course_id, settle_within=stall_after)
    return build_plan(diff(plan.desired, current), current, plan.labels)


def export(client: Canvas, course: int | str, members_by: MemberKind) -> str:
    """The live course as a spec; planning that file shows no changes."""
    course_id = resolve_course_id(client, course)
    roster, state = read_course(client, course_id, sections=False)
    return speclib.export_spec(state, roster, course=course, members_by=members_by)


def _label_kind(members_by: MemberKind) -> MemberKind:
    """How the plan names users the spec does not name (people being removed): like the
    spec does, except that an email the spec does not hold is never shown (SIS id instead;
    `canvas:ID` when that is hidden)."""
    return "sis_user_id" if members_by == "email" else members_by


def _require_same_plan(saved: Plan, now: PlanResult) -> None:
    if saved.course_id != now.plan.course_id:
        raise StalePlanError(f"the saved plan is for course {saved.course_id}, "
                             f"the spec for course {now.plan.course_id}", saved)
    moved = changes_since(saved, now.current)
    if moved:
        raise StalePlanError("Canvas has changed since the plan was saved:\n"
                             + "\n".join(f"  {line}" for line in moved)
                             + "\nRun plan again and review the new plan.", saved, moved)
    if plan_to_dict(saved)["operations"] != plan_to_dict(now.plan)["operations"]:
        raise StalePlanError("the spec no longer gives the saved plan; "
                             "run plan again and review the new plan", saved)


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
