"""The pool and the adaptive limit: AIMD on Canvas's answers, a bounded graph runner that
keeps dependencies and stops on request, and nested maps that cannot deadlock."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from reconciler.canvas.pool import AdaptiveLimit, Pool, Pressure


def test_the_limit_grows_by_one_per_calm_window_and_never_past_its_cap() -> None:
    limit = AdaptiveLimit(cap=6, start=4)
    for _ in range(4):
        limit.acquire()
        limit.release(Pressure(500.0))
    assert limit.limit == 5
    for _ in range(100):
        limit.acquire()
        limit.release(Pressure(500.0))
    assert limit.limit == 6


@pytest.mark.parametrize("pressure", [Pressure(550.0, throttled=True), Pressure(40.0)])
def test_the_limit_halves_on_a_throttled_answer_or_little_room(pressure: Pressure) -> None:
    limit = AdaptiveLimit(cap=8, start=8)
    limit.acquire()
    limit.release(pressure)
    assert (limit.limit, limit.halvings) == (4, 1)
    for _ in range(5):
        limit.acquire()
        limit.release(pressure)
    assert limit.limit == 1


def test_middling_room_holds_the_limit() -> None:
    limit = AdaptiveLimit(cap=8, start=3)
    for _ in range(20):
        limit.acquire()
        limit.release(Pressure(150.0))
    assert limit.limit == 3


def test_acquire_waits_for_room() -> None:
    limit = AdaptiveLimit(cap=1, start=1)
    limit.acquire()
    entered = threading.Event()

    def second() -> None:
        limit.acquire()
        entered.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not entered.wait(0.05)
    limit.release(Pressure(None))
    assert entered.wait(1)
    thread.join()
    assert limit.peak == 1


def test_run_graph_keeps_dependencies_and_bounds_the_work_in_flight() -> None:
    pool = Pool(3)
    order: list[int] = []
    busy, peak = [0], [0]
    lock = threading.Lock()
    deps = {0: frozenset(), 1: frozenset(), 2: frozenset({0, 1}), 3: frozenset(),
            4: frozenset(), 5: frozenset({2})}

    def task(i: int) -> None:
        with lock:
            busy[0] += 1
            peak[0] = max(peak[0], busy[0])
        time.sleep(0.01)
        with lock:
            busy[0] -= 1
            order.append(i)

    assert pool.run_graph(6, deps.__getitem__, task, lambda: False) == []
    assert order.index(2) > max(order.index(0), order.index(1))
    assert order.index(5) > order.index(2) and peak[0] <= 3
    pool.close()


def test_run_graph_in_one_thread_is_the_plan_order() -> None:
    seen: list[int] = []
    deps = {0: frozenset(), 1: frozenset({0}), 2: frozenset(), 3: frozenset({1})}
    Pool(1).run_graph(4, deps.__getitem__, seen.append, lambda: False)
    assert seen == [0, 1, 2, 3]


def test_run_graph_starts_nothing_new_once_told_to_stop() -> None:
    seen: list[int] = []
    never = Pool(1).run_graph(4, lambda i: frozenset(), seen.append, lambda: len(seen) >= 2)
    assert seen == [0, 1] and never == [2, 3]


def test_a_task_error_is_raised_after_the_work_in_flight_finishes() -> None:
    seen: list[int] = []

    def task(i: int) -> None:
        seen.append(i)
        if i == 0:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        Pool(1).run_graph(3, lambda i: frozenset(), task, lambda: False)
    assert seen == [0]


def test_nested_maps_never_deadlock() -> None:
    """Every worker busy with an outer task that maps again: the inner maps run inline."""
    pool = Pool(2)
    inner = pool.map(lambda n: sum(pool.map(lambda k: k * n, range(3))), range(6))
    assert inner == [3 * n for n in range(6)]
    leaves = pool.map(lambda n: pool.requests(lambda k: k + n, range(4)), range(4))
    assert leaves == [[n, n + 1, n + 2, n + 3] for n in range(4)]
    pool.close()


def test_a_closed_client_ends_its_threads() -> None:
    import threading

    from reconciler.canvas.client import CanvasClient

    def ours() -> int:
        return sum(t.name.startswith("reconciler") for t in threading.enumerate())

    before = ours()
    with CanvasClient("https://canvas.example.edu", "t0ken", concurrency=4) as client:
        assert client.pool.map(lambda n: n * 2, range(8)) == list(range(0, 16, 2))
        assert ours() > before
    for _ in range(50):
        if ours() == before:
            break
        threading.Event().wait(0.02)
    assert ours() == before


def _sigint_blocked() -> bool:
    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def test_ctrl_c_is_left_to_the_main_thread() -> None:
    """A SIGINT taken by a worker never wakes the main thread's prompt (Ctrl-C was ignored
    there, now and then, under load): every thread reconciler starts blocks it."""
    pool = Pool(4)
    try:
        assert not _sigint_blocked()
        assert pool.map(lambda _: _sigint_blocked(), range(8)) == [True] * 8
        assert pool.requests(lambda _: _sigint_blocked(), range(8)) == [True] * 8
    finally:
        pool.close()
    assert not _sigint_blocked()  # the caller's own mask is untouched
