"""A nightly drift check of many courses: engine.plan_many against planning one after another.

    python -m benchmarks.bench_many                  # 100 courses x 500 students, 100 ms
    python -m benchmarks.bench_many --courses 20 --students 200 --latency-ms 50 --drift 0

Every course already holds its groups as its spec says (2 sets x 25 groups by default, every
student in one group per set), so each plan is a no-op but for `--drift` (a fraction of each
set's members moved to another group in Canvas directly). The emulator runs in a subprocess
(`reconciler sandbox serve`) with Canvas's default leaky-bucket throttle and the given
latency; each mode runs in a child process of its own, so its peak RSS is its own:

- `plan_many`: engine.plan_many over every spec with one CanvasClient (concurrency 8: its
  shared pool and adaptive limit, one token, one throttle bucket);
- `sequential`: engine.make_plan for each spec in turn, each with a CanvasClient of
  concurrency 1.

Requests and throttled answers (403/429) come from a requests.Session response hook.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

from benchmarks._course import (
    Assignment,
    RequestCounter,
    Shape,
    add_shape_args,
    set_name,
    spec_text,
    table,
)
from benchmarks._emulator import ROOT, STATE_FILE, TOKEN, child_env, save, serve
from reconciler import engine
from reconciler.canvas.client import CanvasClient
from reconciler.canvas.pool import DEFAULT_CONCURRENCY
from reconciler.errors import ReconcilerError
from reconciler.sandbox import EmulatorState

MODES = ("plan_many", "sequential")


@dataclass(frozen=True)
class ManyShape:
    courses: int
    students: int
    sets: int
    groups_per_set: int

    def describe(self) -> str:
        return (f"{self.courses} courses x {self.students} students, {self.sets} sets x "
                f"{self.groups_per_set} groups each "
                f"({self.courses * self.students:,} users, "
                f"{self.courses * self.students * self.sets:,} memberships)")


@dataclass
class ModeRun:
    """One mode's figures, as its child process printed them."""

    mode: str
    seconds: float
    requests: int
    throttled: int
    courses_ok: int
    ops: int
    peak_rss_kib: int  # ru_maxrss at the end (KiB on Linux)
    start_rss_kib: int  # ru_maxrss before the first request
    errors: list[str] = field(default_factory=list)

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_kib / 1024


@dataclass
class ManyResult:
    shape: ManyShape
    latency_ms: float
    drift_moved: int
    runs: dict[str, ModeRun] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """sequential seconds / plan_many seconds."""
        return self.runs["sequential"].seconds / max(self.runs["plan_many"].seconds, 1e-9)


# -- the made-up Canvas ---------------------------------------------------------------------

def course_login(course: int, i: int) -> str:
    """A login unique across courses: `c003s00042`."""
    return f"c{course:03d}s{i:05d}"


def course_assignment(logins: list[str], sets: int, groups_per_set: int,
                      seed: int) -> Assignment:
    """Every login in exactly one group of every set; each set shuffled differently."""
    out: Assignment = {}
    for s in range(sets):
        order = logins[:]
        random.Random(seed * 1000 + s).shuffle(order)
        out[set_name(s)] = {f"Group {g + 1:03d}": sorted(order[g::groups_per_set])
                            for g in range(groups_per_set)}
    return out


def build_state(shape: ManyShape, drift: float, seed: int = 11
                ) -> tuple[EmulatorState, list[tuple[int, Assignment]], int]:
    """The emulator holding every course with its groups already as the spec says; then
    `drift` of each set's members moved to another group. Returns the state, each course's
    (id, assignment), and how many members were moved."""
    state = EmulatorState()
    rng = random.Random(seed)
    courses: list[tuple[int, Assignment]] = []
    moved = 0
    for c in range(1, shape.courses + 1):
        course = state.add_course(f"Benchmark Course {c:03d}", sis_course_id=f"BENCH-{c:03d}")
        section = state.add_section(course.id, "Section 1")
        user_ids: dict[str, int] = {}
        for i in range(1, shape.students + 1):
            login = course_login(c, i)
            user = state.add_user(f"Student {i:05d}", login_id=login,
                                  sis_user_id=login.upper(), email=f"{login}@example.invalid")
            state.enroll(user.id, course.id, section_id=section.id)
            user_ids[login] = user.id
        assign = course_assignment(list(user_ids), shape.sets, shape.groups_per_set, seed=c)
        for name, groups in assign.items():
            category = state.create_category(course.id, name)
            group_ids = []
            for gname, members in groups.items():
                group = state.create_group(category.id, gname)
                group_ids.append(group.id)
                for login in members:
                    state.add_membership(group.id, user_ids[login])
            moved += _drift(state, group_ids, round(drift * shape.students), rng)
        courses.append((course.id, assign))
    return state, courses, moved


def _drift(state: EmulatorState, group_ids: list[int], count: int, rng: random.Random) -> int:
    """Move `count` members of one set to another group of it, in the state directly."""
    if len(group_ids) < 2 or count <= 0:
        return 0
    rows = [m for g in group_ids for m in state.memberships(g)]
    for membership in rng.sample(rows, min(count, len(rows))):
        membership.workflow_state = "deleted"
        target = rng.choice([g for g in group_ids if g != membership.group_id])
        state.add_membership(target, membership.user_id)
    return min(count, len(rows))


def write_specs(directory: Path, courses: list[tuple[int, Assignment]]) -> list[Path]:
    paths = []
    for course_id, assign in courses:
        path = directory / f"course-{course_id}.yaml"
        path.write_text(spec_text(course_id, assign), encoding="utf-8")
        paths.append(path)
    return paths


# -- one mode, in a child process -------------------------------------------------------------

def _session(counter: RequestCounter, concurrency: int) -> requests.Session:
    """A counted session whose pool keeps a connection per request in flight."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4,
                                            pool_maxsize=max(10, concurrency))
    session.mount("http://", adapter)
    return counter.attach(session)


def _max_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_mode(mode: str, base_url: str, paths: list[Path]) -> ModeRun:
    """Plan every spec in this process, one mode; keep only counts of each plan."""
    counter = RequestCounter()
    ok, ops, errors = 0, 0, []
    start_rss = _max_rss_kib()
    start = time.perf_counter()
    if mode == "plan_many":
        with CanvasClient(base_url, TOKEN, session=_session(counter, DEFAULT_CONCURRENCY)
                          ) as client:
            for course in engine.plan_many(paths, client):
                if course.plan is not None:
                    ok, ops = ok + 1, ops + len(course.plan.operations)
                else:
                    errors.append(f"{course.path.name}: {course.error}")
    else:
        for path in paths:
            with CanvasClient(base_url, TOKEN, session=_session(counter, 1),
                              concurrency=1) as client:
                try:
                    plan = engine.make_plan(path, client).plan
                    ok, ops = ok + 1, ops + len(plan.operations)
                except ReconcilerError as exc:
                    errors.append(f"{path.name}: {exc}")
    seconds = time.perf_counter() - start
    throttled = counter.statuses[403] + counter.statuses[429]
    return ModeRun(mode, seconds, sum(counter.methods.values()), throttled, ok, ops,
                   _max_rss_kib(), start_rss, errors[:5])


def run_child(mode: str, base_url: str, specs: Path) -> ModeRun:
    """`run_mode` in a fresh Python, so its peak RSS is the mode's alone."""
    command = [sys.executable, "-m", "benchmarks.bench_many", "--child", mode,
               "--base-url", base_url, "--specs", str(specs)]
    return ModeRun(**_child_json(command, mode))


# -- the whole run ------------------------------------------------------------------------------

def prepare(shape: ManyShape, drift: float, workdir: Path) -> int:
    """Build the state, save it and write the specs under `workdir`; members moved."""
    state, courses, moved = build_state(shape, drift)
    save(state, workdir)
    (workdir / "specs").mkdir()
    write_specs(workdir / "specs", courses)
    return moved


def _prepare_in_child(shape: ManyShape, drift: float, workdir: Path) -> int:
    """`prepare` in a child process. Built here, the state would swell this process, and a
    child inherits its parent's ru_maxrss at fork (Linux keeps the high-water mark across
    exec), so every mode's peak RSS would start at the state's size."""
    command = [sys.executable, "-m", "benchmarks.bench_many", "--prepare", str(workdir),
               "--courses", str(shape.courses), "--students", str(shape.students),
               "--sets", str(shape.sets), "--groups-per-set", str(shape.groups_per_set),
               "--drift", repr(drift)]
    return int(_child_json(command, "prepare")["moved"])


def _child_json(command: list[str], what: str) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, env=child_env(), cwd=ROOT,
                          check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the {what} child failed ({done.returncode}):\n{done.stderr}")
    data: dict[str, Any] = json.loads(lines[-1])
    return data


def run(shape: ManyShape, *, latency_ms: float, drift: float,
        modes: Sequence[str] = MODES) -> ManyResult:
    with tempfile.TemporaryDirectory(prefix="bench-many-") as tmp:
        workdir = Path(tmp)
        result = ManyResult(shape, latency_ms, _prepare_in_child(shape, drift, workdir))
        with serve(workdir / STATE_FILE, latency_ms=latency_ms, throttle=True) as base_url:
            for mode in modes:
                result.runs[mode] = run_child(mode, base_url, workdir / "specs")
    return result


def report(result: ManyResult) -> str:
    rows = [[r.mode, f"{r.seconds:.1f}", str(r.requests), str(r.throttled),
             f"{r.courses_ok}/{result.shape.courses}", str(r.ops),
             f"{r.peak_rss_mib:.1f} MiB", f"{r.start_rss_kib / 1024:.1f} MiB"]
            for r in result.runs.values()]
    lines = [
        f"bench_many: {result.shape.describe()}",
        f"emulator in a subprocess: latency {result.latency_ms:g} ms, throttle on (Canvas "
        f"defaults); drift: {result.drift_moved} members moved",
        "",
        table(["mode", "seconds", "requests", "throttled", "courses ok", "ops", "peak RSS",
               "RSS before"], rows),
    ]
    if set(MODES) <= set(result.runs):
        lines += ["", f"sequential / plan_many time: {result.ratio:.1f}x"]
    for run_ in result.runs.values():
        lines += [f"{run_.mode} error: {e}" for e in run_.errors]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--courses", type=int, default=100)
    add_shape_args(parser, Shape(500, 2, 25))
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--drift", type=float, default=0.02,
                        help="fraction of each set's members moved in Canvas (default 0.02)")
    parser.add_argument("--mode", choices=MODES, action="append",
                        help="run only this mode (repeatable; default: both)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--specs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> ManyResult | None:
    args = parse_args(argv)
    if args.child:  # the hidden flags: this process is one of run()'s children
        paths = sorted(args.specs.glob("*.yaml"))
        print(json.dumps(asdict(run_mode(args.child, args.base_url, paths))))
        return None
    shape = ManyShape(args.courses, args.students, args.sets, args.groups_per_set)
    if args.prepare:
        print(json.dumps({"moved": prepare(shape, args.drift, args.prepare)}))
        return None
    result = run(shape, latency_ms=args.latency_ms, drift=args.drift,
                 modes=args.mode or MODES)
    print(report(result))
    return result


if __name__ == "__main__":
    outcome = main()
    sys.exit(0 if outcome is None or all(r.courses_ok == outcome.shape.courses
                                         for r in outcome.runs.values()) else 1)
