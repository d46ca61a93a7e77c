"""Concurrency against Canvas: one bounded pool of threads, and an adaptive limit on how many
requests are in flight. The only place reconciler starts threads for Canvas (the terminal's
progress ticker and the emulator have their own), and where a thread gives up Ctrl-C.

Canvas's throttle is a leaky bucket per token that reserves 50 units for every request in
flight and refuses a request once the bucket reaches its high-water mark (600 on open-source
Canvas, about 700 hosted), so about 11 requests fit at once (Q-THROTTLE-BUCKET). Each answer
says how much room is left (`X-Rate-Limit-Remaining`, Q-RATE-REMAINING). The limit follows
AIMD: it starts at `start`, grows by one when a window of answers all had room to spare,
halves on a throttled answer or when the room runs low, and never leaves [1, cap]. So a run
never provokes the throttle it then has to wait out.
"""

from __future__ import annotations

import heapq
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class Pressure:
    """What one answer says about the throttle."""

    remaining: float | None
    throttled: bool = False


class AdaptiveLimit:
    """A counting gate whose size adapts to Canvas's answers (AIMD)."""

    def __init__(self, cap: int = DEFAULT_CONCURRENCY, start: int = 4, *,
                 grow_above: float = 200.0, shrink_below: float = 100.0) -> None:
        self.cap = max(1, cap)
        self.limit = min(self.cap, max(1, start))
        self.grow_above = grow_above
        self.shrink_below = shrink_below
        self.in_flight = 0
        self.peak = 0  # the most requests ever in flight at once
        self.halvings = 0
        self._calm = 0  # answers in a row with room to spare
        self._cond = threading.Condition()

    def acquire(self) -> None:
        with self._cond:
            while self.in_flight >= self.limit:
                self._cond.wait()
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def release(self, pressure: Pressure) -> None:
        with self._cond:
            self.in_flight -= 1
            self._adjust(pressure)
            self._cond.notify_all()

    def _adjust(self, pressure: Pressure) -> None:
        low = pressure.remaining is not None and pressure.remaining < self.shrink_below
        if pressure.throttled or low:
            self.limit = max(1, self.limit // 2)
            self.halvings += 1
            self._calm = 0
            return
        if pressure.remaining is not None and pressure.remaining > self.grow_above:
            self._calm += 1
            if self._calm >= self.limit and self.limit < self.cap:
                self.limit += 1
                self._calm = 0
        else:
            self._calm = 0


class Pool:
    """Bounded worker threads in two lanes. `map` and `run_graph` run composite work
    (listings, courses, plan operations), which may wait for requests; `requests` runs
    single requests (the pages of one listing), which never wait for anything. A composite
    map called from inside a composite worker runs inline, so no worker ever waits for a
    task that needs a worker of its own lane: the pool cannot deadlock. `size` 1 runs
    everything in the calling thread."""

    def __init__(self, size: int = DEFAULT_CONCURRENCY) -> None:
        self.size = max(1, size)
        self._work = ThreadPoolExecutor(self.size, "reconciler", leave_sigint_to_main) \
            if self.size > 1 else None
        self._leaves = ThreadPoolExecutor(self.size, "reconciler-request", leave_sigint_to_main) \
            if self.size > 1 else None
        self._inside = threading.local()

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`fn` over `items`, side by side; results in order; the first error is raised
        after every call has finished."""
        if getattr(self._inside, "worker", False):
            return [fn(v) for v in items]
        return _fan_out(self._work, self._as_worker(fn), list(items))

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`fn` over `items`, side by side, yielding results in order as they come, with at
        most `size` calls started and not yet yielded: a caller that drops each result
        once used holds no more than that many at a time."""
        if getattr(self._inside, "worker", False) or self._work is None:
            yield from (fn(v) for v in items)
            return
        window: deque[Future[R]] = deque()
        for value in items:
            window.append(self._work.submit(self._as_worker(fn), value))
            if len(window) >= self.size:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def requests(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Like map, for calls that each send one request and wait for nothing else."""
        return _fan_out(self._leaves, fn, list(items))

    def _as_worker(self, fn: Callable[[T], R]) -> Callable[[T], R]:
        def run(value: T) -> R:
            self._inside.worker = True
            return fn(value)
        return run

    def run_graph(self, count: int, deps: Callable[[int], frozenset[int]],
                  task: Callable[[int], None], should_stop: Callable[[], bool]) -> list[int]:
        """Run task(i) for i in 0..count-1, each once everything it depends on has finished
        (whatever its outcome), lowest index first among those ready. Once `should_stop()`
        is true nothing new starts; the indexes never started are returned."""
        waiting = {i: set(deps(i)) for i in range(count)}
        dependants: dict[int, list[int]] = {i: [] for i in range(count)}
        for i, before in waiting.items():
            for j in before:
                dependants[j].append(i)
        ready = [i for i, before in waiting.items() if not before]
        heapq.heapify(ready)
        running: dict[Future[None], int] = {}
        started: set[int] = set()
        error: BaseException | None = None
        while ready or running:
            while ready and len(running) < self.size and error is None and not should_stop():
                i = heapq.heappop(ready)
                started.add(i)
                running[self._submit(task, i)] = i
            if not running:
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                i = running.pop(future)
                error = error or future.exception()
                for k in dependants[i]:
                    waiting[k].discard(i)
                    if not waiting[k]:
                        heapq.heappush(ready, k)
        if error is not None:
            raise error
        return [i for i in range(count) if i not in started]

    def _submit(self, task: Callable[[int], None], i: int) -> Future[None]:
        if self._work is None or getattr(self._inside, "worker", False):
            future: Future[None] = Future()
            try:
                task(i)
                future.set_result(None)
            except BaseException as exc:  # surfaced by future.result() like a thread's
                future.set_exception(exc)
            return future
        return self._work.submit(self._as_worker(task), i)

    def close(self) -> None:
        """End the worker threads (after the work already given); no work after this."""
        for executor in (self._work, self._leaves):
            if executor is not None:
                executor.shutdown(wait=True)


def leave_sigint_to_main() -> None:
    """Run first in a thread that is not the main one. The kernel gives a process's SIGINT
    to any thread not blocking it, and one taken by a worker never wakes the main thread's
    blocked read: the confirmation prompt then ignores Ctrl-C (seen under load). Blocked in
    every other thread, Ctrl-C always lands in the main thread, where Python handles it."""
    if hasattr(signal, "pthread_sigmask"):  # not on Windows, where only the main thread
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # gets Ctrl-C anyway


def _fan_out(executor: ThreadPoolExecutor | None, fn: Callable[[T], R],
             values: list[T]) -> list[R]:
    if executor is None or len(values) < 2:
        return [fn(v) for v in values]
    futures = [executor.submit(fn, v) for v in values]
    wait(futures)
    return [f.result() for f in futures]
