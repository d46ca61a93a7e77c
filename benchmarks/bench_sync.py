"""Plan / apply / verify / drift figures for a large course against the in-process emulator.

    python -m benchmarks.bench_sync                       # 2,000 students, 10 x 40 groups
    python -m benchmarks.bench_sync --students 200 --sets 2 --groups-per-set 10
    python -m benchmarks.bench_sync --latency-ms 20 --throttle

Phases: cold plan (timed), the same plan again under tracemalloc (peak memory), apply,
the verify re-read, a second plan (must be empty), drift (5% of students moved in Canvas
directly, then plan and a full engine.apply). Request counts come from a requests.Session
response hook, so they include retries and throttled responses.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._course import (
    PHASE_HEADERS,
    Phase,
    RequestCounter,
    Shape,
    SleepRecorder,
    add_shape_args,
    assignment,
    build_course,
    make_client,
    measure,
    phase_rows,
    profile_emulator,
    profile_text,
    shape_of,
    table,
    write_spec,
)
from reconciler import engine
from reconciler.canvas.apply import apply_plan
from reconciler.guards import check_safety
from reconciler.plan import Plan
from reconciler.sandbox import EmulatorState, SandboxServer, ThrottleConfig


@dataclass
class SyncResult:
    shape: Shape
    phases: dict[str, Phase] = field(default_factory=dict)
    plan_ops: int = 0
    plan_membership_changes: int = 0
    apply_ok: bool = False
    verify_empty: bool = False
    second_plan_empty: bool = False
    drift_moved: int = 0
    drift_converged: bool = False
    client_sleeps: int = 0
    client_slept_s: float = 0.0
    emulator_profile: str = ""
    write_cost: float = 0.0

    @property
    def converged(self) -> bool:
        return (self.apply_ok and self.verify_empty and self.second_plan_empty
                and self.drift_converged)


def drift(state: EmulatorState, course_id: int, fraction: float, seed: int = 7) -> int:
    """Move `fraction` of each set's members to another group of the same set, directly in
    the emulator's tables (as a teacher dragging students in the UI would). Returns moves."""
    rng = random.Random(seed)
    moved = 0
    with state.lock:
        for category in state.categories(course_id):
            groups = state.groups(category.id)
            rows = sorted((m for g in groups for m in state.memberships(g.id)),
                          key=lambda m: m.user_id)
            for membership in rng.sample(rows, round(len(rows) * fraction)):
                target = rng.choice([g for g in groups if g.id != membership.group_id])
                membership.workflow_state = "deleted"
                state.add_membership(target.id, membership.user_id)
                moved += 1
    return moved


def naive_requests(shape: Shape, drift_moved: int) -> dict[str, int]:
    """Writes a one-POST-per-membership client would send for the same work."""
    creates = shape.sets + shape.groups
    return {"cold apply": creates + shape.memberships, "drift apply": drift_moved}


def _plan_note(plan: Plan) -> str:
    counts = plan.counts()
    return (f"{len(plan.operations)} ops, {counts.create} creates, "
            f"{counts.membership_changes} membership changes")


def run(shape: Shape, *, latency_ms: float = 0, throttle: bool = False,
        drift_fraction: float = 0.05, write_cost: float | None = None,
        profile: bool = False, workdir: Path | None = None) -> SyncResult:
    """Run every phase once and return the figures (nothing is printed)."""
    result = SyncResult(shape)
    state, course_id = build_course(shape)
    config = ThrottleConfig(enabled=throttle,
                            write_cost=ThrottleConfig.write_cost if write_cost is None
                            else write_cost)
    result.write_cost = config.write_cost
    with tempfile.TemporaryDirectory() as tmp, \
            SandboxServer(state, latency_ms=latency_ms, throttle=config) as server:
        spec_path = write_spec(Path(workdir or tmp) / "bench-spec.yaml", course_id,
                               assignment(shape))
        profiler = profile_emulator(server) if profile else None
        counter, sleeper = RequestCounter(), SleepRecorder()
        client = make_client(server, counter, sleep=sleeper)
        phases = result.phases

        with measure("cold plan", counter) as phases["plan"]:
            planned = engine.make_plan(spec_path, client)
        plan = planned.plan
        phases["plan"].note = _plan_note(plan)
        result.plan_ops = len(plan.operations)
        result.plan_membership_changes = plan.counts().membership_changes
        with measure("cold plan (tracemalloc)", counter, trace_memory=True) as phases["plan_mem"]:
            engine.make_plan(spec_path, client)
        phases["plan_mem"].note = "same plan again, for peak memory only"

        check_safety(plan, allow_delete=False)
        with measure("apply", counter) as phases["apply"]:
            report = apply_plan(client, plan)
        result.apply_ok = report.ok
        phases["apply"].note = f"{report.counts()['done']} ops done, ok={report.ok}"
        with measure("verify re-read", counter) as phases["verify"]:
            residual = engine.plan_loaded(planned.spec, client).plan
        result.verify_empty = residual.is_empty
        phases["verify"].note = f"residual ops: {len(residual.operations)}"
        with measure("second plan", counter) as phases["plan2"]:
            again = engine.make_plan(spec_path, client).plan
        result.second_plan_empty = again.is_empty
        phases["plan2"].note = f"ops: {len(again.operations)} (must be 0)"

        result.drift_moved = drift(state, course_id, drift_fraction)
        with measure("drift plan", counter) as phases["drift_plan"]:
            drift_plan = engine.make_plan(spec_path, client).plan
        phases["drift_plan"].note = (f"{result.drift_moved} students moved; "
                                     + _plan_note(drift_plan))
        with measure("drift apply (plan+apply+verify)", counter) as phases["drift_apply"]:
            applied = engine.apply(spec_path, client,
                                   confirm=lambda _plan: True)
        result.drift_converged = applied is not None
        phases["drift_apply"].note = f"converged={result.drift_converged}"
        result.client_sleeps, result.client_slept_s = sleeper.calls, sleeper.seconds
        if profiler is not None:
            result.emulator_profile = profile_text(profiler)
    return result


def report(result: SyncResult, *, latency_ms: float, throttle: bool) -> str:
    shape = result.shape
    naive = naive_requests(shape, result.drift_moved)
    apply_writes = result.phases["apply"].requests.writes
    drift_writes = result.phases["drift_apply"].requests.writes
    lines = [
        f"bench_sync: {shape.describe()}",
        f"latency {latency_ms:g} ms per request, throttle {'on' if throttle else 'off'}"
        f" (write cost {result.write_cost:g})",
        "",
        table(PHASE_HEADERS, phase_rows(list(result.phases.values()))),
        "",
        table(["writes", "reconciler (import or PUT members[])", "naive (POST per membership)",
               "ratio"], [
            ["cold apply", str(apply_writes), str(naive["cold apply"]),
             f"{naive['cold apply'] / max(apply_writes, 1):.1f}x"],
            ["drift apply", str(drift_writes), str(naive["drift apply"]),
             f"{naive['drift apply'] / max(drift_writes, 1):.1f}x"],
        ]),
        "",
        f"client waits (back-off, back-pressure, import polls): {result.client_sleeps} "
        f"({result.client_slept_s:.1f} s)",
        f"converged (apply ok, verify empty, second plan empty, drift converged): "
        f"{result.converged}",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shape_args(parser, Shape(2000, 10, 40))
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--throttle", action="store_true",
                        help="enable the emulator's leaky-bucket throttle (defaults)")
    parser.add_argument("--write-cost", type=float, default=None,
                        help="emulator throttle cost of one write (default 2.0; real Canvas "
                             "charges CPU+DB seconds, typically well under 1)")
    parser.add_argument("--profile-emulator", action="store_true",
                        help="print a cProfile of the emulator's request handling")
    parser.add_argument("--drift", type=float, default=0.05,
                        help="fraction of each set's members to move (default 0.05)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> SyncResult:
    args = parse_args(argv)
    shape = shape_of(args)
    result = run(shape, latency_ms=args.latency_ms, throttle=args.throttle,
                 drift_fraction=args.drift, write_cost=args.write_cost,
                 profile=args.profile_emulator)
    print(report(result, latency_ms=args.latency_ms, throttle=args.throttle))
    if result.emulator_profile:
        print("\nemulator profile (request handling, by own time):\n" + result.emulator_profile)
    return result


if __name__ == "__main__":
    sys.exit(0 if main().converged else 1)
