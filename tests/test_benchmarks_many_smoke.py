"""bench_many and bench_emulator at a tiny size: counts and convergence, never time."""

from __future__ import annotations

import pytest

from tests.test_benchmarks_smoke import bench

TINY = ["--courses", "3", "--students", "20", "--sets", "1", "--groups-per-set", "2",
        "--latency-ms", "0"]


@pytest.mark.parametrize("drift", ["0", "0.1"])
def test_bench_many_plans_every_course_both_ways(drift: str) -> None:
    result = bench("bench_many").main([*TINY, "--drift", drift])

    assert result is not None
    assert result.drift_moved == (0 if drift == "0" else 3 * 2)  # 10% of 20, per course
    runs = result.runs
    assert set(runs) == {"plan_many", "sequential"}
    for run in runs.values():
        assert run.courses_ok == 3, run.errors
        assert run.errors == []
        assert run.requests > 0
        assert run.throttled == 0  # far below the bucket at this size
        assert run.peak_rss_kib >= run.start_rss_kib > 0
    assert runs["plan_many"].ops == runs["sequential"].ops
    assert runs["plan_many"].requests == runs["sequential"].requests
    assert (runs["plan_many"].ops == 0) == (drift == "0")  # a no-op unless moved


def test_bench_emulator_reports_a_row_per_thread_count(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = bench("bench_emulator").main(["--students", "20", "--sets", "1",
                                           "--groups-per-set", "2", "--requests", "12",
                                           "--threads", "1", "--threads", "3"])

    assert [r.threads for r in result.rows] == [1, 3]
    for row in result.rows:
        assert row.requests == 12
        assert row.failures == 0
        assert row.percentile_ms(95) >= row.percentile_ms(50) > 0
    assert "110 req/s" in capsys.readouterr().out
