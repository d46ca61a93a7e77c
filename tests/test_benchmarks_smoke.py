"""Each benchmark's main() runs at a tiny size. Asserts on counts and convergence, never on time."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def bench(name: str) -> ModuleType:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"benchmarks.{name}")


TINY = ["--students", "40", "--sets", "2", "--groups-per-set", "4"]


def test_bench_sync_converges_with_one_put_per_group(capsys: pytest.CaptureFixture[str]) -> None:
    result = bench("bench_sync").main(TINY)

    phases = result.phases
    assert result.converged
    assert result.plan_ops == 2 + 8 + 8  # sets, groups, one SetMembers per group
    assert result.plan_membership_changes == 80
    assert phases["plan"].requests.writes == 0
    assert phases["apply"].requests.by_method == {"POST": 10, "PUT": 8}
    assert phases["verify"].requests.writes == 0
    assert phases["plan2"].requests.writes == 0
    assert result.drift_moved == 4  # 5% of 80 memberships
    assert 0 < phases["drift_apply"].requests.by_method["PUT"] <= 8
    assert phases["plan_mem"].peak_bytes is not None and phases["plan_mem"].peak_bytes > 0
    assert "naive" in capsys.readouterr().out


def test_bench_throttle_converges_and_reports_counts() -> None:
    runs = bench("bench_throttle").main([*TINY, "--latency-ms", "0", "--status", "429"])

    assert [r.variant for r in runs] == ["back-pressure", "retry only"]
    for run in runs:
        assert run.converged, run.error
        assert run.phase.requests.by_method["PUT"] == 8
        assert run.throttled == 0  # far below the bucket at this size


def test_bench_spec_resolves_every_membership() -> None:
    result = bench("bench_spec").main(TINY)

    assert result.groups_resolved == 8
    assert result.members_resolved == 80
    assert [s.name for s in result.steps] == ["load + validate", "resolve",
                                              "load + validate + resolve"]
    assert all(s.peak_bytes > 0 for s in result.steps)


def test_bench_perf_counts_each_variant_and_the_per_member_baseline(
        capsys: pytest.CaptureFixture[str]) -> None:
    perf = bench("bench_perf")
    # 10 new groups a set: the fewest the import takes (10 creates + 10 writes saved,
    # bulk.BULK_MIN_SAVED)
    runs = perf.main(["--students", "40", "--sets", "2", "--groups-per-set", "10",
                      "--latency-ms", "0", "--import-s", "0.05"])

    assert list(runs) == ["default", "--no-bulk", "--no-bulk --concurrency 1",
                          "per-member baseline"]
    for run in runs.values():
        assert run.converged, run.error
        assert run.failed_ops == 0 and run.throttled == 0
    for name in ("default", "--no-bulk", "--no-bulk --concurrency 1"):
        phases = runs[name].phases
        assert runs[name].noop_empty
        assert phases["plan"].requests.total == perf.lower_bound(40, 0)
        assert phases["noop"].requests.total == perf.lower_bound(40, 20)
        assert phases["plan"].requests.writes == phases["noop"].requests.writes == 0
    assert runs["--no-bulk"].phases["apply"].requests.by_method["POST"] == 2 + 20
    assert runs["--no-bulk"].phases["apply"].requests.by_method["PUT"] == 20
    assert runs["default"].phases["apply"].requests.by_method["POST"] == 2 + 2  # sets, imports
    first, noop, drifted = runs["per-member baseline"].baseline
    assert (first.sets_created, first.groups_created, first.added, first.removed) == (2, 20, 80, 0)
    assert (noop.added, noop.removed) == (0, 0)
    assert (drifted.sets_created, drifted.groups_created, drifted.added, drifted.removed) \
        == (0, 0, 4, 4)
    baseline = runs["per-member baseline"].phases
    assert "plan" not in baseline  # the per-member way has no plan of its own
    assert baseline["apply"].requests.by_method["POST"] == 2 + 20 + 80
    assert baseline["noop"].requests.writes == 0
    moved = baseline["drift"].requests.by_method
    assert moved["DELETE"] == moved["POST"] == 4  # 5% of 80 memberships, each moved
    assert "first apply: >= 50x fewer requests" in capsys.readouterr().out


def test_lower_bound_counts_roster_pages_one_set_page_and_group_pages() -> None:
    lower_bound = bench("bench_perf").lower_bound
    assert lower_bound(1000, 0) == 10 + 1 + 1
    assert lower_bound(1000, 250) == 10 + 1 + 3
    assert lower_bound(101, 100) == 2 + 1 + 1
