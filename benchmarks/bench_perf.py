"""Requests and wall time of a sync at 100 ms latency under Canvas's throttle: reconciler's
three ways (default, --no-bulk, --no-bulk --concurrency 1) against the per-member way.

    python -m benchmarks.bench_perf                 # 1,000 students, 5 sets x 50 groups
    python -m benchmarks.bench_perf --latency-ms 20 --skip-baseline

Every variant gets a fresh in-process emulator (ThrottleConfig defaults: the throttle on,
status 403) holding the same empty course, then runs four phases as a user would:

1. plan against the empty course (`reconciler plan`);
2. first apply (`reconciler apply`: plan, write, verify);
3. no-op plan (must be empty);
4. apply after 5% drift: that share of each set's members is moved to another group of
   the set directly in the emulator, as a teacher dragging students in the UI would.

The per-member baseline (benchmarks/_baseline.py) does the same work the way the original
push-memberships code did: serial, one read per group, one POST / DELETE per membership.
Request counts come from a requests.Session hook, so retries and throttled answers count.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._baseline import BaselineRun, sync_per_member
from benchmarks._course import (
    Phase,
    RequestCounter,
    Shape,
    SleepRecorder,
    add_shape_args,
    assignment,
    build_course,
    make_client,
    measure,
    shape_of,
    table,
    write_spec,
)
from benchmarks.bench_sync import drift
from reconciler import engine
from reconciler.canvas.client import CanvasClient
from reconciler.errors import ReconcilerError
from reconciler.sandbox import ImportConfig, SandboxServer, ThrottleConfig


@dataclass(frozen=True)
class Variant:
    name: str
    bulk: bool
    concurrency: int
    per_member: bool = False


VARIANTS = (
    Variant("default", bulk=True, concurrency=8),
    Variant("--no-bulk", bulk=False, concurrency=8),
    Variant("--no-bulk --concurrency 1", bulk=False, concurrency=1),
    Variant("per-member baseline", bulk=False, concurrency=1, per_member=True),
)
PHASES = ("plan", "apply", "noop", "drift")
PHASE_NAMES = {"plan": "plan (empty course)", "apply": "first apply", "noop": "no-op plan",
               "drift": "apply after drift"}


@dataclass
class VariantRun:
    variant: Variant
    phases: dict[str, Phase] = field(default_factory=dict)
    sleeps: int = 0
    slept_s: float = 0.0
    failed_ops: int = 0
    noop_empty: bool = False
    converged: bool = False
    baseline: list[BaselineRun] = field(default_factory=list)  # per phase, per-member only
    error: str = ""

    @property
    def throttled(self) -> int:
        return sum(p.requests.throttled for p in self.phases.values())


def lower_bound(students: int, groups: int) -> int:
    """The fewest GETs a plan can make (docs/performance.md): roster pages, one page of
    group sets, the groups listing's pages (one even when empty); no course, no sections."""
    return math.ceil(students / 100) + 1 + max(1, math.ceil(groups / 100))


@dataclass(frozen=True)
class Setting:
    shape: Shape
    latency_ms: float
    drift: float
    import_s: float


def run_variant(setting: Setting, variant: Variant) -> VariantRun:
    state, course_id = build_course(setting.shape)
    wanted = assignment(setting.shape)
    run = VariantRun(variant)
    with tempfile.TemporaryDirectory() as tmp, \
            SandboxServer(state, latency_ms=setting.latency_ms, throttle=ThrottleConfig(),
                          import_config=ImportConfig(duration_s=setting.import_s)) as server:
        spec_path = write_spec(Path(tmp) / "bench-spec.yaml", course_id, wanted)
        counter, sleeper = RequestCounter(), SleepRecorder()
        client = make_client(server, counter, sleep=sleeper,
                             concurrency=variant.concurrency)
        steps = _baseline_steps(client, course_id, wanted, run) if variant.per_member \
            else _reconciler_steps(client, spec_path, variant, run)
        try:
            for key in (k for k in PHASES if k in steps):
                if key == "drift":
                    drift(state, course_id, setting.drift)
                with measure(PHASE_NAMES[key], counter) as run.phases[key]:
                    steps[key]()
            run.converged = engine.make_plan(spec_path, _checker(server)).plan.is_empty
        except ReconcilerError as exc:
            run.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            run.failed_ops = _failed(exc)
        client.close()
        run.sleeps, run.slept_s = sleeper.calls, sleeper.seconds
    return run


def _reconciler_steps(client: CanvasClient, spec: Path, variant: Variant, run: VariantRun
                      ) -> dict[str, Callable[[], object]]:
    options = engine.ApplyOptions(bulk=variant.bulk)

    def plan() -> None:
        engine.make_plan(spec, client, bulk=variant.bulk)

    def apply() -> None:
        result = engine.apply(spec, client, confirm=lambda _plan: True, options=options)
        if result is not None:
            run.failed_ops += result.report.counts().get("failed", 0)

    def noop() -> None:
        run.noop_empty = engine.make_plan(spec, client, bulk=variant.bulk).plan.is_empty

    return {"plan": plan, "apply": apply, "noop": noop, "drift": apply}


def _baseline_steps(client: CanvasClient, course_id: int,
                    wanted: dict[str, dict[str, list[str]]], run: VariantRun
                    ) -> dict[str, Callable[[], object]]:
    def sync() -> None:
        run.baseline.append(sync_per_member(client, course_id, wanted))
    return {"apply": sync, "noop": sync, "drift": sync}  # it has no plan of its own


def _checker(server: SandboxServer) -> CanvasClient:
    """An uncounted client that judges convergence after the measured phases."""
    return CanvasClient(server.base_url, server.token)


def _failed(exc: ReconcilerError) -> int:
    report = getattr(exc, "report", None)
    return int(report.counts().get("failed", 0)) if report is not None else 0


# -- the report ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    text: str
    measured: str
    met: bool


def targets(setting: Setting, runs: dict[str, VariantRun]) -> list[Target]:
    shape = setting.shape
    out: list[Target] = []
    default = runs.get("default")
    if default is not None and len(default.phases) == len(PHASES):
        for key, groups in (("plan", 0), ("noop", shape.groups)):
            bound = lower_bound(shape.students, groups)
            sent = default.phases[key].requests.total
            out.append(Target(f"{PHASE_NAMES[key]} requests <= 1.1 x lower bound ({bound})",
                              f"{sent} ({sent / bound:.2f}x)", sent <= 1.1 * bound))
        seconds = default.phases["noop"].seconds
        out.append(Target("no-op plan <= 2 s", f"{seconds:.2f} s", seconds <= 2))
    baseline = runs.get("per-member baseline")
    if default is not None and baseline is not None and "apply" in baseline.phases:
        mine, theirs = default.phases["apply"], baseline.phases["apply"]
        ratio = theirs.requests.total / max(mine.requests.total, 1)
        out.append(Target("first apply: >= 50x fewer requests than per-member",
                          f"{ratio:.1f}x", ratio >= 50))
        speed = theirs.seconds / max(mine.seconds, 1e-9)
        out.append(Target("first apply: >= 20x less wall time than per-member",
                          f"{speed:.1f}x", speed >= 20))
    parallel, serial = runs.get("--no-bulk"), runs.get("--no-bulk --concurrency 1")
    if parallel is not None and serial is not None and "apply" in serial.phases:
        speed = serial.phases["apply"].seconds / max(parallel.phases["apply"].seconds, 1e-9)
        out.append(Target("first apply: --no-bulk >= 4x faster than --concurrency 1",
                          f"{speed:.1f}x", speed >= 4))
    failed = sum(r.failed_ops for r in runs.values())
    errors = [r for r in runs.values() if r.error]
    out.append(Target("no operation failed after retries", f"{failed} failed, "
                      f"{len(errors)} runs stopped", failed == 0 and not errors))
    throttled = sum(r.throttled for r in runs.values())
    out.append(Target("a handful of throttled answers at most (<= 5, all runs)",
                      str(throttled), throttled <= 5))
    return out


def report(setting: Setting, runs: dict[str, VariantRun]) -> str:
    rows = [[r.variant.name, p.name, f"{p.seconds:.2f}", str(p.requests.total),
             p.requests.methods_text(), str(p.requests.throttled)]
            for r in runs.values() for p in r.phases.values()]
    summary = [[r.variant.name, f"{sum(p.seconds for p in r.phases.values()):.1f}",
                f"{r.sleeps} / {r.slept_s:.1f} s", str(r.failed_ops), str(r.converged),
                r.error or "-"] for r in runs.values()]
    checks = [[t.text, t.measured, "yes" if t.met else "NO"] for t in targets(setting, runs)]
    shape = setting.shape
    return "\n".join([
        f"bench_perf: {shape.describe()}",
        f"latency {setting.latency_ms:g} ms per request; throttle on (ThrottleConfig defaults, "
        f"403); drift {setting.drift:.0%}; each import runs {setting.import_s:g} s",
        f"plan lower bound: {lower_bound(shape.students, 0)} GETs against the empty course, "
        f"{lower_bound(shape.students, shape.groups)} once it holds {shape.groups} groups",
        "",
        table(["variant", "phase", "seconds", "requests", "by method", "throttled"], rows),
        "",
        table(["variant", "total s", "client pauses", "failed ops", "converged", "error"],
              summary),
        "",
        table(["target", "measured", "met"], checks),
    ])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shape_args(parser, Shape(1000, 5, 50))
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--drift", type=float, default=0.05,
                        help="share of each set's members moved before the last phase")
    parser.add_argument("--import-s", type=float, default=1.0,
                        help="how long the emulator's CSV import job runs (default 1 s)")
    parser.add_argument("--variant", action="append", choices=[v.name for v in VARIANTS],
                        help="run only this variant (repeatable; default: all four)")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="leave out the per-member baseline (its run is the longest)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, VariantRun]:
    args = parse_args(argv)
    setting = Setting(shape_of(args), args.latency_ms,
                      args.drift, args.import_s)
    chosen = [v for v in VARIANTS if (not args.variant or v.name in args.variant)
              and not (args.skip_baseline and v.per_member)]
    runs: dict[str, VariantRun] = {}
    for variant in chosen:
        runs[variant.name] = run_variant(setting, variant)
        print(f"  {variant.name}: done", file=sys.stderr)
    print(report(setting, runs))
    return runs


if __name__ == "__main__":
    sys.exit(0 if all(r.converged for r in main().values()) else 1)
