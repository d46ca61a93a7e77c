"""The emulator's own throughput on loopback: requests/s and latency under K client threads.

    python -m benchmarks.bench_emulator                   # 1,000 students, K = 1, 4, 8, 16
    python -m benchmarks.bench_emulator --threads 8 --requests 2000

The emulator runs in a subprocess (`reconciler sandbox serve`, latency 0, throttle off)
over one course of `--students` students in `--sets` x `--groups-per-set` groups. Each of K
threads has its own requests.Session and sends plain GETs of the listings a plan reads
(first page of the roster with enrollments, of the course's groups with their users, the
group categories), round robin, until the run's `--requests` are sent. The point is the
comparison printed last: a benchmark at 100 ms latency with at most ~11 requests in flight
(Canvas's bucket, pool.py) needs only ~110 requests/s of the emulator.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

from benchmarks._course import Shape, add_shape_args, assignment, build_course, shape_of, table
from benchmarks._emulator import TOKEN, save, serve
from reconciler.sandbox import EmulatorState

IN_FLIGHT = 11  # requests Canvas's bucket lets in at once (pool.py, Q-THROTTLE-BUCKET)
BENCH_LATENCY_MS = 100.0  # bench_many's default


@dataclass
class LoadRow:
    """K threads' figures: every request's latency (s), and those not answered 200."""

    threads: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / max(self.seconds, 1e-9)

    def percentile_ms(self, q: int) -> float:
        if len(self.latencies) < 2:
            return 1000 * (self.latencies[0] if self.latencies else 0.0)
        return 1000 * statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


@dataclass
class EmulatorResult:
    shape: Shape
    rows: list[LoadRow]

    @property
    def needed_rate(self) -> float:
        """What a benchmark at 100 ms latency with ~11 requests in flight asks of it."""
        return IN_FLIGHT * 1000 / BENCH_LATENCY_MS


def build_state(shape: Shape) -> tuple[EmulatorState, int]:
    """One course with its students already in their groups (as bench_sync's spec says)."""
    state, course_id = build_course(shape)
    user_ids = {u.login_id: u.id for u in state.t.users.values()}
    for set_name, groups in assignment(shape).items():
        category = state.create_category(course_id, set_name)
        for group_name, members in groups.items():
            group = state.create_group(category.id, group_name)
            for member in members:
                state.add_membership(group.id, user_ids[member])
    return state, course_id


def listings(course_id: int) -> list[str]:
    return [f"/api/v1/courses/{course_id}/users?include[]=enrollments&per_page=100",
            f"/api/v1/courses/{course_id}/groups?include[]=users&per_page=100",
            f"/api/v1/courses/{course_id}/group_categories?per_page=100"]


def load(base_url: str, paths: list[str], threads: int, total: int) -> LoadRow:
    """`total` GETs from `threads` threads, round robin over `paths`."""
    row = LoadRow(threads, 0.0)
    lock = threading.Lock()
    sent = 0

    def worker() -> None:
        nonlocal sent
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with requests.Session() as session:
            while True:
                with lock:
                    if sent >= total:
                        return
                    n, sent = sent, sent + 1
                start = time.perf_counter()
                response = session.get(base_url + paths[n % len(paths)], headers=headers)
                response.content  # noqa: B018 - read the whole body, as a client would
                elapsed = time.perf_counter() - start
                with lock:
                    row.latencies.append(elapsed)
                    row.failures += response.status_code != 200

    pool = [threading.Thread(target=worker, name=f"load-{i}") for i in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    row.seconds = time.perf_counter() - start
    return row


def run(shape: Shape, *, threads: Sequence[int], total: int) -> EmulatorResult:
    state, course_id = build_state(shape)
    with tempfile.TemporaryDirectory(prefix="bench-emulator-") as tmp, \
            serve(save(state, Path(tmp))) as base_url:
        paths = listings(course_id)
        load(base_url, paths, 1, len(paths))  # warm up: first connection, first pages
        rows = [load(base_url, paths, k, total) for k in threads]
    return EmulatorResult(shape, rows)


def report(result: EmulatorResult) -> str:
    rows = [[str(r.threads), str(r.requests), str(r.failures), f"{r.seconds:.2f}",
             f"{r.rate:.0f}", f"{r.percentile_ms(50):.1f}", f"{r.percentile_ms(95):.1f}"]
            for r in result.rows]
    slowest = min(result.rows, key=lambda r: r.rate)
    return "\n".join([
        f"bench_emulator: one course, {result.shape.describe()}",
        "emulator in a subprocess: latency 0, throttle off; GETs of the roster (with "
        "enrollments), the groups (with users) and the group categories, 100 a page",
        "",
        table(["threads", "requests", "not 200", "seconds", "req/s", "median ms", "p95 ms"],
              rows),
        "",
        f"needed by a benchmark at {BENCH_LATENCY_MS:g} ms latency with {IN_FLIGHT} requests "
        f"in flight: {result.needed_rate:.0f} req/s; slowest here: {slowest.rate:.0f} req/s "
        f"at {slowest.threads} thread(s), {slowest.rate / result.needed_rate:.1f}x that",
    ])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shape_args(parser, Shape(1000, 2, 20))
    parser.add_argument("--threads", type=int, action="append",
                        help="client threads (repeatable; default: 1, 4, 8, 16)")
    parser.add_argument("--requests", type=int, default=600,
                        help="requests sent at each thread count (default 600)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> EmulatorResult:
    args = parse_args(argv)
    shape = shape_of(args)
    result = run(shape, threads=args.threads or [1, 4, 8, 16], total=args.requests)
    print(report(result))
    return result


if __name__ == "__main__":
    sys.exit(0 if all(r.failures == 0 for r in main().rows) else 1)
