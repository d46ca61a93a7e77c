"""A cold apply under the emulator's leaky-bucket throttle (Canvas defaults), with latency.

    python -m benchmarks.bench_throttle                   # 1,000 students, 5 x 40 groups, 20 ms
    python -m benchmarks.bench_throttle --students 2000 --sets 10 --status 429

The throttle is ThrottleConfig's defaults (throttle-and-clients.md §1.2): hwm 600, maximum
800, outflow 10/s, up-front 50, cost GET 0.1 + 0.001/item, write 0.3 (the emulator
defaults). Each variant gets a fresh emulator and runs engine.apply end to end (plan,
apply, verify), then plans once more:

- `back-pressure`: the client as shipped, pausing when X-Rate-Limit-Remaining runs low;
- `retry only`: the same client with the back-pressure pause switched off, so it runs into
  the bucket and relies on retrying 403/429 with back-off.

Throttled responses are counted by a requests.Session hook (retries included).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
from reconciler import engine
from reconciler.canvas.retry import RetryPolicy
from reconciler.errors import ReconcilerError
from reconciler.sandbox import SandboxServer, ThrottleConfig

VARIANTS: dict[str, RetryPolicy] = {
    "back-pressure": RetryPolicy(),
    "retry only": RetryPolicy(low_water=float("-inf")),
}


@dataclass
class ThrottleRun:
    variant: str
    phase: Phase
    sleeps: int
    slept_s: float
    converged: bool
    error: str = ""

    @property
    def throttled(self) -> int:
        return self.phase.requests.throttled


def run_variant(shape: Shape, variant: str, *, latency_ms: float, status: int) -> ThrottleRun:
    state, course_id = build_course(shape)
    config = ThrottleConfig(status=status)
    with tempfile.TemporaryDirectory() as tmp, \
            SandboxServer(state, latency_ms=latency_ms, throttle=config) as server:
        spec_path = write_spec(Path(tmp) / "bench-spec.yaml", course_id, assignment(shape))
        counter, sleeper = RequestCounter(), SleepRecorder()
        client = make_client(server, counter, sleep=sleeper, retry=VARIANTS[variant])
        error, converged = "", False
        with measure(variant, counter) as phase:
            try:
                applied = engine.apply(spec_path, client,
                                       confirm=lambda _plan: True)
                converged = (applied is not None
                             and engine.make_plan(spec_path, client).plan.is_empty)
            except ReconcilerError as exc:
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return ThrottleRun(variant, phase, sleeper.calls, sleeper.seconds, converged, error)


def run(shape: Shape, *, latency_ms: float = 20, status: int = 403,
        variants: Sequence[str] = tuple(VARIANTS)) -> list[ThrottleRun]:
    return [run_variant(shape, v, latency_ms=latency_ms, status=status) for v in variants]


def report(shape: Shape, runs: list[ThrottleRun], *, latency_ms: float, status: int) -> str:
    rows = [[r.variant, f"{r.phase.seconds:.1f}", str(r.phase.requests.total),
             r.phase.requests.methods_text(), str(r.throttled),
             f"{r.sleeps} / {r.slept_s:.1f} s", str(r.converged), r.error]
            for r in runs]
    return "\n".join([
        f"bench_throttle: {shape.describe()}",
        f"throttle: ThrottleConfig defaults, status {status}; latency {latency_ms:g} ms",
        "",
        table(["client", "seconds", "requests", "by method", "throttled", "sleeps",
               "converged", "error"], rows),
    ])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shape_args(parser, Shape(1000, 5, 40))
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--status", type=int, choices=(403, 429), default=403)
    parser.add_argument("--variant", choices=tuple(VARIANTS), action="append",
                        help="run only this client variant (repeatable; default: all)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> list[ThrottleRun]:
    args = parse_args(argv)
    shape = shape_of(args)
    runs = run(shape, latency_ms=args.latency_ms, status=args.status,
               variants=args.variant or tuple(VARIANTS))
    print(report(shape, runs, latency_ms=args.latency_ms, status=args.status))
    return runs


if __name__ == "__main__":
    sys.exit(0 if all(r.converged for r in main()) else 1)
