"""Load + validate + resolve a large spec, without Canvas: time and peak memory per step.

    python -m benchmarks.bench_spec                       # 2,000 students, 10 x 40 = 20,000
    python -m benchmarks.bench_spec --students 500 --sets 4 --groups-per-set 20

`load` parses and checks the YAML (syntax, schema, semantics); `resolve` matches every member
entry against a roster (the one `fetch_roster` would return) and builds the desired
CourseState. Each step is run twice: timed, then under tracemalloc for its peak.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from benchmarks._course import (
    Shape,
    add_shape_args,
    assignment,
    mib,
    roster,
    shape_of,
    table,
    write_spec,
)
from reconciler import spec as speclib

T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    peak_bytes: int


@dataclass
class SpecResult:
    shape: Shape
    spec_bytes: int
    steps: list[Step] = field(default_factory=list)
    members_resolved: int = 0
    groups_resolved: int = 0


def timed(name: str, fn: Callable[[], T]) -> tuple[T, Step]:
    """Run fn once timed and once under tracemalloc; return the first result and figures."""
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return value, Step(name, seconds, peak)


def run(shape: Shape, workdir: Path | None = None) -> SpecResult:
    with tempfile.TemporaryDirectory() as tmp:
        course_id = 101
        path = write_spec(Path(workdir or tmp) / "bench-spec.yaml", course_id,
                          assignment(shape))
        result = SpecResult(shape, path.stat().st_size)
        users = roster(shape.students)
        spec, load_step = timed("load + validate", lambda: speclib.load(path))
        desired, resolve_step = timed("resolve", lambda: speclib.resolve(spec, users, course_id))
        _, both = timed("load + validate + resolve",
                        lambda: speclib.resolve(speclib.load(path), users, course_id))
    result.steps = [load_step, resolve_step, both]
    groups = [g for s in desired.group_sets for g in s.groups]
    result.groups_resolved = len(groups)
    result.members_resolved = sum(len(g.members or ()) for g in groups)
    return result


def report(result: SpecResult) -> str:
    shape = result.shape
    per_member = result.steps[-1].seconds / max(result.members_resolved, 1) * 1e6
    return "\n".join([
        f"bench_spec: {shape.describe()}; spec file {result.spec_bytes / 1024:.0f} KiB",
        "",
        table(["step", "seconds", "peak mem"],
              [[s.name, f"{s.seconds:.2f}", mib(s.peak_bytes)] for s in result.steps]),
        "",
        f"resolved {result.groups_resolved} groups, {result.members_resolved} memberships "
        f"({per_member:.0f} us per membership end to end)",
    ])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shape_args(parser, Shape(2000, 10, 40))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> SpecResult:
    args = parse_args(argv)
    result = run(shape_of(args))
    print(report(result))
    return result


if __name__ == "__main__":
    main()
