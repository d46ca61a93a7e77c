"""Print the chaos suite's figures (quoted in docs/reliability.md).

    python -m tests.chaos.figures [first_seed [last_seed]]      # default: seeds 1..20
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

from reconciler.sandbox import SandboxServer

from .scenario import FAIL_RATE, SeedResult, created, run_seed

PROBLEM_KINDS = ("created", "active", "kept membership removed", "kept group", "reported",
                 "report differs", "CanvasError", "ApplyError without")


def one(seed: int, directory: Path) -> tuple[SeedResult, int, int]:
    with SandboxServer(fail_rate=FAIL_RATE, fail_seed=seed) as server:
        result = run_seed(server, seed, directory)
        sets, groups = created(server.state, server.state.write_log)
        return result, sum(sets.values()), sum(groups.values())


def main(first: int, last: int) -> None:
    reruns: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    endings: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(first, last + 1):
            r, set_creates, group_creates = one(seed, Path(tmp))
            reruns[r.reruns] += 1
            kinds.update(r.faults.kinds)
            endings.update(run.ending for run in r.runs)
            totals.update(o.status for run in r.runs for _, o in run.outcomes)
            totals["adopted"] += sum("adopted" in o.detail for run in r.runs
                                     for _, o in run.outcomes)
            totals["requests"] += r.faults.requests
            totals["memberships"] += r.scenario.memberships
            totals["creates logged"] += set_creates + group_creates
            problems.update(next((k for k in PROBLEM_KINDS if k in p), "other")
                            for p in r.problems)
            print(f"seed {seed:3d}: {r.faults.requests:4d} requests, "
                  f"{sum(r.faults.kinds.values()):3d} faults, runs "
                  f"{[run.ending for run in r.runs]}, residual {r.residual_ops}, "
                  f"problems {r.problems}")
    print(f"seeds {first}..{last}: re-runs needed {dict(sorted(reruns.items()))}")
    print(f"faults injected {sum(kinds.values())}: {dict(sorted(kinds.items()))}")
    print(f"run endings {dict(endings)}; totals {dict(totals)}")
    print(f"problems {sum(problems.values())}: {dict(problems)}")


if __name__ == "__main__":
    bounds = [int(a) for a in sys.argv[1:3]] or [1, 20]
    main(bounds[0], bounds[-1])
