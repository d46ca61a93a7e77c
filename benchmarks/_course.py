"""Shared pieces of the benchmarks: a made-up course, its spec, request counting, tables.

Every person here is invented: logins `b00001`…, e-mails under example.invalid.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from reconciler.canvas.client import CanvasClient
from reconciler.canvas.pool import DEFAULT_CONCURRENCY
from reconciler.canvas.retry import RetryPolicy
from reconciler.model import Enrollment, Roster, User
from reconciler.sandbox import EmulatorState, SandboxServer

Assignment = dict[str, dict[str, list[str]]]  # set name -> group name -> logins


@dataclass(frozen=True)
class Shape:
    students: int
    sets: int
    groups_per_set: int

    @property
    def memberships(self) -> int:
        return self.students * self.sets

    @property
    def groups(self) -> int:
        return self.sets * self.groups_per_set

    def describe(self) -> str:
        return (f"{self.students} students, {self.sets} sets x {self.groups_per_set} groups "
                f"= {self.groups} groups, {self.memberships} memberships")


def add_shape_args(parser: argparse.ArgumentParser, default: Shape) -> None:
    """`--students`, `--sets` and `--groups-per-set`, defaulting to `default`."""
    parser.add_argument("--students", type=int, default=default.students)
    parser.add_argument("--sets", type=int, default=default.sets)
    parser.add_argument("--groups-per-set", type=int, default=default.groups_per_set)


def shape_of(args: argparse.Namespace) -> Shape:
    return Shape(args.students, args.sets, args.groups_per_set)


def login(i: int) -> str:
    return f"b{i:05d}"


def set_name(s: int) -> str:
    return f"Set {s + 1:02d}"


def group_name(g: int) -> str:
    return f"Group {g + 1:03d}"


def assignment(shape: Shape, seed: int = 1) -> Assignment:
    """Every student in exactly one group of every set; each set shuffled differently."""
    logins = [login(i) for i in range(1, shape.students + 1)]
    out: Assignment = {}
    for s in range(shape.sets):
        order = logins[:]
        random.Random(seed * 1000 + s).shuffle(order)
        g_count = shape.groups_per_set
        out[set_name(s)] = {group_name(g): sorted(order[g::g_count]) for g in range(g_count)}
    return out


def build_course(shape: Shape) -> tuple[EmulatorState, int]:
    """An emulator holding one course with `shape.students` active students and no groups."""
    state = EmulatorState()
    course = state.add_course("Benchmark Course", sis_course_id="BENCH-1")
    section = state.add_section(course.id, "Section 1")
    for i in range(1, shape.students + 1):
        user = state.add_user(f"Student {i:05d}", login_id=login(i), sis_user_id=f"B{i:05d}",
                              email=f"{login(i)}@example.invalid")
        state.enroll(user.id, course.id, section_id=section.id)
    return state, course.id


def spec_text(course_id: int, assign: Assignment) -> str:
    """The YAML spec for an assignment (members as flow lists, one group per line)."""
    lines = [f"course: {course_id}", "members_by: login_id", "group_sets:"]
    for name, groups in assign.items():
        lines += [f"  - name: {name}", "    groups:"]
        for gname, members in groups.items():
            lines.append(f"      - {{name: {gname}, members: [{', '.join(members)}]}}")
    return "\n".join(lines) + "\n"


def write_spec(path: Path, course_id: int, assign: Assignment) -> Path:
    path.write_text(spec_text(course_id, assign), encoding="utf-8")
    return path


def roster(students: int) -> Roster:
    """The Roster `fetch_roster` would return for `build_course` (no HTTP)."""
    enrollment = (Enrollment(type="StudentEnrollment", state="active", section_id=1),)
    return Roster(users=tuple(
        User(id=1000 + i, name=f"Student {i:05d}", login_id=login(i), sis_user_id=f"B{i:05d}",
             email=f"{login(i)}@example.invalid", enrollments=enrollment)
        for i in range(1, students + 1)))


# -- measuring ----------------------------------------------------------------------------

@dataclass
class RequestCounter:
    """Counts every HTTP response a session receives, by method and by status (from any
    thread: a concurrent client answers on several at once)."""

    methods: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self.lock:
            self.methods[str(response.request.method)] += 1
            self.statuses[response.status_code] += 1

    def attach(self, session: requests.Session) -> requests.Session:
        session.hooks["response"].append(self.hook)
        return session

    def snapshot(self) -> tuple[Counter[str], Counter[int]]:
        with self.lock:
            return Counter(self.methods), Counter(self.statuses)


@dataclass(frozen=True)
class Requests:
    """Requests seen during one phase."""

    by_method: dict[str, int]
    by_status: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_method.values())

    @property
    def writes(self) -> int:
        return sum(n for m, n in self.by_method.items() if m != "GET")

    @property
    def throttled(self) -> int:
        return self.by_status.get(403, 0) + self.by_status.get(429, 0)

    def methods_text(self) -> str:
        return " ".join(f"{m}={n}" for m, n in sorted(self.by_method.items())) or "-"


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    requests: Requests = field(default_factory=lambda: Requests({}, {}))
    peak_bytes: int | None = None
    note: str = ""


@contextmanager
def measure(name: str, counter: RequestCounter, *, trace_memory: bool = False
            ) -> Iterator[Phase]:
    """Time a block and count its requests; with trace_memory, its tracemalloc peak."""
    phase = Phase(name)
    methods, statuses = counter.snapshot()
    if trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield phase
    finally:
        phase.seconds = time.perf_counter() - start
        if trace_memory:
            phase.peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        now_methods, now_statuses = counter.snapshot()
        phase.requests = Requests(dict(now_methods - methods), dict(now_statuses - statuses))


@dataclass
class SleepRecorder:
    """Stands in for time.sleep in CanvasClient: sleeps, and records how long and how often."""

    calls: int = 0
    seconds: float = 0.0

    def __call__(self, delay: float) -> None:
        self.calls += 1
        self.seconds += delay
        time.sleep(delay)


def make_client(server: SandboxServer, counter: RequestCounter, *,
                sleep: Callable[[float], None] = time.sleep,
                retry: RetryPolicy | None = None,
                concurrency: int = DEFAULT_CONCURRENCY) -> CanvasClient:
    """A client whose every response `counter` sees; its connection pool holds as many
    connections as it may have requests in flight."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(10, concurrency))
    session.mount("http://", adapter)
    return CanvasClient(server.base_url, server.token, session=counter.attach(session),
                        sleep=sleep, retry=retry, concurrency=concurrency)


# -- printing -----------------------------------------------------------------------------

def mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:.1f} MiB"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    out = [line(headers), line(["-" * w for w in widths])]
    return "\n".join(out + [line(r) for r in rows])


def phase_rows(phases: list[Phase]) -> list[list[str]]:
    return [[p.name, f"{p.seconds:.2f}", str(p.requests.total), p.requests.methods_text(),
             str(p.requests.throttled), mib(p.peak_bytes), p.note] for p in phases]


PHASE_HEADERS = ["phase", "seconds", "requests", "by method", "throttled", "peak mem", "note"]


def profile_emulator(server: SandboxServer) -> cProfile.Profile:
    """Profile every request the emulator serves (it runs in its own threads, which a
    plain `python -m cProfile` does not see)."""
    profiler = cProfile.Profile()
    handle = server.app.handle

    def profiled(request: Any) -> Any:
        profiler.enable()
        try:
            return handle(request)
        finally:
            profiler.disable()

    server.app.handle = profiled  # type: ignore[method-assign]
    return profiler


def profile_text(profiler: cProfile.Profile, limit: int = 12) -> str:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(limit)
    return out.getvalue()
