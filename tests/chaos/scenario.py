"""The chaos scenario: a course with three group sets and ~200 memberships, applied through
`engine.apply` against an emulator that injects faults, with invariants read back from the
emulator's own state and write log (never from our ApplyReport).

Shared by tests/chaos/test_chaos.py and tests/chaos/figures.py (which prints the figures
quoted in docs/reliability.md).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from reconciler import engine
from reconciler.canvas import ApplyReport, CanvasClient, OpOutcome, RetryPolicy
from reconciler.errors import ApplyError, CanvasError, ConvergenceError, ReconcilerError
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.sandbox import SandboxServer
from reconciler.sandbox.entities import Group, GroupCategory, WriteEvent
from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.state import EmulatorState

# Deletions allowed and thresholds waived: these runs are about reliability, not guards.
TRUSTED = engine.ApplyOptions(allow_delete=True, force=True)
# The same, one request per membership: for tests that count or interrupt single writes.
PER_REQUEST = engine.ApplyOptions(allow_delete=True, force=True, bulk=False)

COURSE = 101
SECTIONS = (11, 12)
EXTRA_STUDENTS = 84  # + the demo course's 36 = 120 students
FAIL_RATE = 0.2
MAX_RERUNS = 2
SEMINARS, PAIRS, TEAMS = "Seminars", "Lab Pairs", "Project Teams"
MANAGED = (SEMINARS, PAIRS, TEAMS)


# -- the course and the spec ------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    spec: Path
    memberships: int  # in the spec, all three sets
    kept: frozenset[tuple[int, int]]  # (original group id, user id) that the spec keeps
    kept_groups: frozenset[int]  # original group ids that the spec keeps
    original: frozenset[int]  # every group id in Canvas before the first run


def _add_students(state: EmulatorState) -> list[str]:
    logins = [f"s{n:02d}" for n in range(1, 37)]
    for n in range(1, EXTRA_STUDENTS + 1):
        login = f"x{n:03d}"
        user = state.add_user(f"Chaos Student {n:03d}", login_id=login,
                              sis_user_id=f"CH{n:04d}", email=f"{login}@example.edu")
        state.enroll(user.id, COURSE, "StudentEnrollment", "active", SECTIONS[n % 2])
        logins.append(login)
    return logins


def _seed_seminars(state: EmulatorState, rng: random.Random,
                   logins: list[str]) -> dict[str, list[str]]:
    """Pre-existing set "Seminars" (self sign-up on): Seminar 1..6, ten students each."""
    category = state.create_category(COURSE, SEMINARS, self_signup="enabled")
    chosen = rng.sample(logins, 60)
    original: dict[str, list[str]] = {}
    for n in range(1, 7):
        name = f"Seminar {n}"
        group = state.create_group(category.id, name)
        original[name] = chosen[(n - 1) * 10: n * 10]
        for login in original[name]:
            state.add_membership(group.id, _uid(state, login))
    return original


def _seminars_spec(rng: random.Random, logins: list[str],
                   original: dict[str, list[str]]) -> dict[str, list[str]]:
    """Seminar 6 goes; 7 and 8 are new; members keep (60%), move (20%) or leave (20%);
    newcomers bring the set to 70 members."""
    names = [f"Seminar {n}" for n in (1, 2, 3, 4, 5, 7, 8)]
    desired: dict[str, list[str]] = {name: [] for name in names}
    placed: set[str] = set()
    for group, members in original.items():
        for login in members:
            roll = rng.random()
            if roll < 0.6 and group in desired:
                desired[group].append(login)
            elif roll < 0.8:
                desired[rng.choice([n for n in names if n != group])].append(login)
            placed.add(login)
    newcomers = [x for x in logins if x not in placed]
    rng.shuffle(newcomers)
    total = sum(len(m) for m in desired.values())
    for i, login in enumerate(newcomers[: 70 - total]):
        desired[names[i % len(names)]].append(login)
    return desired


def _pairs_spec(rng: random.Random, logins: list[str]) -> dict[str, list[str]]:
    """Lab Pairs (seeded: Pair 1 = s01+s02, Pair 2 = s03+s04): Pair 1 kept, s03 keeps a new
    partner, Pairs 3..30 are new."""
    pool = [x for x in logins if x not in ("s01", "s02", "s03")]
    rng.shuffle(pool)
    pairs = {"Pair 1": ["s01", "s02"], "Pair 2": ["s03", pool.pop()]}
    for n in range(3, 31):
        pairs[f"Pair {n}"] = [pool.pop(), pool.pop()]
    return pairs


def _teams_spec(rng: random.Random, logins: list[str]) -> dict[str, list[str]]:
    chosen = rng.sample(logins, 72)
    return {f"Team {n}": chosen[(n - 1) * 9: n * 9] for n in range(1, 9)}


def _spec_doc(seminars: dict[str, list[str]], pairs: dict[str, list[str]],
              teams: dict[str, list[str]]) -> dict[str, Any]:
    def groups(members: dict[str, list[str]], **extra: dict[str, Any]) -> list[Any]:
        return [{"name": name, **extra.get(name, {}), "members": list(logins)}
                for name, logins in members.items()]

    leaders = {f"Team {n}": {"leader": teams[f"Team {n}"][0]} for n in range(1, 5)}
    return {"course": COURSE, "members_by": "login_id", "group_sets": [
        {"name": SEMINARS, "self_signup": None,
         "groups": groups(seminars, **{"Seminar 1": {"description": "Mondays"}})},
        {"name": PAIRS, "groups": groups(pairs)},
        {"name": TEAMS, "self_signup": None, "auto_leader": None,
         "groups": groups(teams, **leaders)},
    ]}


def build(state: EmulatorState, seed: int, directory: Path) -> Scenario:
    """Seed the emulator's course 101 and write the spec; all choices come from `seed`."""
    rng = random.Random(seed)
    # An import's job ends at the next request: the same seed gives the same requests, so
    # the same faults fall on them (a job on the real clock would add polls at random).
    state.import_config.duration_s = 0.0
    logins = _add_students(state)
    seminars_before = _seed_seminars(state, rng, logins)
    desired = {SEMINARS: _seminars_spec(rng, logins, seminars_before),
               PAIRS: _pairs_spec(rng, logins), TEAMS: _teams_spec(rng, logins)}
    spec = directory / f"chaos-{seed}.yaml"
    spec.write_text(yaml.safe_dump(_spec_doc(desired[SEMINARS], desired[PAIRS],
                                             desired[TEAMS]), sort_keys=False))
    kept, kept_groups = _kept(state, desired)
    return Scenario(spec, sum(len(m) for d in desired.values() for m in d.values()),
                    frozenset(kept), frozenset(kept_groups),
                    frozenset(state.t.groups))


def _kept(state: EmulatorState, desired: dict[str, dict[str, list[str]]],
          ) -> tuple[set[tuple[int, int]], set[int]]:
    kept: set[tuple[int, int]] = set()
    kept_groups: set[int] = set()
    for set_name, groups in desired.items():
        category = state.category_by_name(COURSE, set_name)
        if category is None:
            continue
        for group in state.groups(category.id):
            if group.name in groups:
                kept_groups.add(group.id)
                wanted = {_uid(state, login) for login in groups[group.name]}
                kept |= {(group.id, uid) for uid in state.member_ids(group.id) & wanted}
    return kept, kept_groups


def _uid(state: EmulatorState, login: str) -> int:
    return next(u.id for u in state.t.users.values() if u.login_id == login)


# -- running ------------------------------------------------------------------------------

class CountingFaults:
    """Wraps the server's FaultInjector to count requests and the faults injected."""

    def __init__(self, inner: FaultInjector) -> None:
        self.inner = inner
        self.requests = 0
        self.kinds: Counter[str] = Counter()
        self.enabled = True

    def draw(self) -> str | None:
        if not self.enabled:
            return None
        self.requests += 1
        kind = self.inner.draw()
        if kind is not None:
            self.kinds[kind] += 1
        return kind


def fast_client(server: SandboxServer, seed: int, *, sleep: Callable[[float], None] | None = None,
                session: requests.Session | None = None, concurrency: int = 1,
                **policy: Any) -> CanvasClient:
    """The real client with a retry policy in milliseconds; by default sleeps are skipped."""
    settings: dict[str, Any] = {"max_attempts": 6, "base_delay": 0.001, "max_delay": 0.01,
                                "budget": 1.0, "throttle_delay": 0.002,
                                "random": random.Random(seed).random, **policy}
    return CanvasClient(server.base_url, server.token, retry=RetryPolicy(**settings),
                        sleep=sleep or (lambda _: None), session=session,
                        concurrency=concurrency)


@dataclass
class Run:
    """One `engine.apply`: how it ended, every outcome apply reported (via on_progress),
    the report the error carried, and the writes the emulator logged meanwhile."""

    ending: str  # converged | nothing to do | ApplyError | ConvergenceError | CanvasError
    outcomes: list[tuple[Operation, OpOutcome]]
    report: ApplyReport | None
    events: list[WriteEvent]
    message: str = ""


def apply_once(server: SandboxServer, spec: Path, client: CanvasClient,
               stop_after: int | None = None,
               options: engine.ApplyOptions = TRUSTED) -> Run:
    """`engine.apply` (auto-confirmed, deletions allowed); with `stop_after`, a Ctrl-C
    arrives once that many operations have finished."""
    outcomes: list[tuple[Operation, OpOutcome]] = []
    start = len(server.state.write_log)
    should_stop = None if stop_after is None else (lambda: len(outcomes) >= stop_after)

    def events() -> list[WriteEvent]:
        return list(server.state.write_log[start:])

    try:
        result = engine.apply(spec, client, options=options, confirm=lambda _: True,
                              on_progress=lambda op, o: outcomes.append((op, o)),
                              should_stop=should_stop)
    except ConvergenceError as exc:
        return Run("ConvergenceError", outcomes, exc.report, events(), exc.message)
    except ApplyError as exc:
        return Run("ApplyError", outcomes, exc.report, events(), exc.message)
    except CanvasError as exc:
        return Run("CanvasError", outcomes, None, events(), exc.message)
    except ReconcilerError as exc:  # anything else is a broken promise, reported below
        return Run(type(exc).__name__, outcomes, None, events(), exc.message)
    ending = "nothing to do" if result is None else "converged"
    return Run(ending, outcomes, None if result is None else result.report, events())


@dataclass
class SeedResult:
    seed: int
    scenario: Scenario
    runs: list[Run]
    faults: CountingFaults
    residual_ops: int  # the plan with faults off after the last run
    problems: list[str] = field(default_factory=list)

    @property
    def reruns(self) -> int:
        return len(self.runs) - 1


def run_seed(server: SandboxServer, seed: int, directory: Path,
             concurrency: int = 1) -> SeedResult:
    """Build the scenario, apply until converged (at most MAX_RERUNS re-runs, faults on),
    checking every run's account against Canvas; then plan once more with faults off."""
    assert server.app.faults is not None
    faults = CountingFaults(server.app.faults)
    server.app.faults = faults  # type: ignore[assignment]
    scenario = build(server.state, seed, directory)
    client = fast_client(server, seed, concurrency=concurrency)
    runs: list[Run] = []
    problems: list[str] = []
    while len(runs) <= MAX_RERUNS:
        run = apply_once(server, scenario.spec, client)
        runs.append(run)
        problems += [f"run {len(runs)}: {p}" for p in account_problems(server.state, run)]
        problems += [f"run {len(runs)}: {p}" for p in duplicate_problems(server.state)]
        if run.ending in ("converged", "nothing to do"):
            break
    faults.enabled = False
    try:
        residual = len(engine.make_plan(scenario.spec, client).plan.operations)
    except ReconcilerError as exc:
        residual = -1
        problems.append(f"the final plan failed: {exc.message}")
    problems += log_problems(server.state, scenario)
    return SeedResult(seed, scenario, runs, faults, residual, problems)


# -- invariants, from the emulator's state and write log ------------------------------------

def _category(state: EmulatorState, name: str) -> GroupCategory | None:
    return state.category_by_name(COURSE, name)


def _active_group(state: EmulatorState, set_name: str, group_name: str) -> Group | None:
    category = _category(state, set_name)
    return None if category is None else state.group_by_name(category.id, group_name)


def duplicate_problems(state: EmulatorState) -> list[str]:
    """No two active sets, nor two active groups of one managed set, share a name."""
    problems = []
    names = Counter(c.name for c in state.categories(COURSE))
    problems += [f"{n} active sets named {name!r}" for name, n in names.items() if n > 1]
    for category in state.categories(COURSE):
        if category.name in MANAGED:
            counts = Counter(g.name for g in state.groups(category.id))
            problems += [f"{n} active groups named {g!r} in {category.name!r}"
                         for g, n in counts.items() if n > 1]
    return problems


def created(state: EmulatorState, log: Iterable[WriteEvent]) -> tuple[Counter[str],
                                                                     Counter[tuple[int, str]]]:
    """Successful creates by set name and by (set id, group name), from the write log."""
    sets: Counter[str] = Counter()
    groups: Counter[tuple[int, str]] = Counter()
    for event in log:
        if event.status != 200:
            continue
        if event.kind == "create_group_category":
            sets[state.t.categories[event.ids["category_id"]].name] += 1
        elif event.kind == "create_group":
            group = state.t.groups[event.ids["group_id"]]
            groups[(group.category_id, group.name)] += 1
    return sets, groups


def removals(log: Iterable[WriteEvent]) -> set[tuple[int, int]]:
    """(group id, user id) taken out of a group by any write: members[] replacements and
    moves out by the one-group-per-set rule."""
    out: set[tuple[int, int]] = set()
    for event in log:
        group_id = event.ids.get("group_id")
        if group_id is not None:
            out |= {(group_id, uid) for uid in event.removed}
        out |= {(gid, uid) for gid, uid in event.moved_out}
    return out


def log_problems(state: EmulatorState, scenario: Scenario) -> list[str]:
    """Across every run: nothing created twice, nothing kept removed or deleted."""
    log = list(state.write_log)
    sets, groups = created(state, log)
    problems = [f"set {name!r} created {n} times" for name, n in sets.items() if n > 1]
    problems += [f"group {name!r} (set id {cid}) created {n} times"
                 for (cid, name), n in groups.items() if n > 1]
    problems += [f"kept membership removed: user {uid} from group {gid}"
                 for gid, uid in sorted(removals(log) & scenario.kept)]
    deleted = {e.ids.get("group_id") for e in log if e.kind == "delete_group" and e.status == 200}
    problems += [f"kept group {gid} deleted" for gid in sorted(deleted & scenario.kept_groups)]
    return problems


def _import_problem(state: EmulatorState, op: ImportMembers) -> str | None:
    for entry in op.groups:
        group = _active_group(state, op.set_name, entry.group_name)
        if group is None:
            return f"imported group {entry.group_name!r} does not exist"
        missing = entry.add - state.member_ids(group.id)
        if missing:
            return f"imported members {sorted(missing)} not in {entry.group_name!r}"
    return None


def done_problem(state: EmulatorState, op: Operation) -> str | None:
    """Why Canvas does not show the effect of an operation reported done, or None."""
    category = _category(state, op.set_name)
    if isinstance(op, CreateGroupSet):
        return None if category is not None else "set does not exist"
    if isinstance(op, UpdateGroupSet):
        assert category is not None
        expected = {**op.current, **{c.field: c.new for c in op.changes}}
        wrong = [k for k, v in expected.items() if getattr(category, k) != v]
        return f"set fields {wrong} differ" if wrong else None
    if isinstance(op, DeleteGroupSet):
        return None if not state.t.categories[op.canvas_id].active else "set still active"
    if isinstance(op, DeleteGroup):
        return None if not state.t.groups[op.canvas_id].active else "group still active"
    if isinstance(op, ImportMembers):
        return _import_problem(state, op)
    group = _active_group(state, op.set_name, op.group_name)
    if group is None:
        return "group does not exist"
    if isinstance(op, UpdateGroup):
        wrong = [c.field for c in op.changes if getattr(group, c.field) != c.new]
        return f"group fields {wrong} differ" if wrong else None
    if isinstance(op, SetMembers) and state.member_ids(group.id) != op.members:
        return f"members {sorted(state.member_ids(group.id))} != {sorted(op.members)}"
    if isinstance(op, SetLeader) and group.leader_id != op.leader:
        return f"leader {group.leader_id} != {op.leader}"
    assert isinstance(op, CreateGroup | SetMembers | SetLeader)
    return None


ENDINGS = ("converged", "nothing to do", "ApplyError", "ConvergenceError", "CanvasError")
KINDS: dict[type, str] = {
    CreateGroupSet: "create_group_category", UpdateGroupSet: "update_group_category",
    DeleteGroupSet: "delete_group_category", CreateGroup: "create_group",
    UpdateGroup: "update_group", SetMembers: "set_members", SetLeader: "update_group",
    DeleteGroup: "delete_group", ImportMembers: "queue_group_category_import",
}


def touches(state: EmulatorState, event: WriteEvent, op: Operation) -> bool:
    """Whether a logged write is the kind of write this operation makes, on its target."""
    if event.kind != KINDS[type(op)]:
        return False
    if "group_id" in event.ids:
        group = state.t.groups[event.ids["group_id"]]
        category = state.t.categories[group.category_id]
        return (category.name, group.name) == (op.set_name, getattr(op, "group_name", None))
    if "category_id" in event.ids:
        return state.t.categories[event.ids["category_id"]].name == op.set_name
    return False


def account_problems(state: EmulatorState, run: Run) -> list[str]:
    """The run's account is exact: the error's report lists what apply reported, every op
    reported done has its effect in Canvas, and no op reported skipped wrote anything."""
    problems: list[str] = []
    if run.ending not in ENDINGS:
        problems.append(f"apply ended with {run.ending}: {run.message}")
    if run.report is not None:
        reported = [(op, OpOutcome(status, detail))
                    for status, items in (("done", run.report.done),
                                          ("failed", run.report.failed),
                                          ("skipped", run.report.skipped))
                    for op, detail in items]
        if sorted(map(repr, reported)) != sorted(map(repr, run.outcomes)):
            problems.append("the report differs from the outcomes apply announced")
    if run.ending == "CanvasError" and (run.outcomes or run.events):
        problems.append("a CanvasError after writes carried no report")
    if run.ending == "ApplyError" and run.report is None:
        problems.append("ApplyError without a report")
    for op, outcome in run.outcomes:
        if outcome.status == "done":
            why = done_problem(state, op)
            if why:
                problems.append(f"reported done, not in Canvas: {op.describe()}: {why}")
        elif outcome.status == "skipped" and any(touches(state, e, op) for e in run.events):
            problems.append(f"reported skipped, but written: {op.describe()}")
        elif outcome.status == "failed" and not outcome.detail:
            problems.append(f"failed without a reason: {op.describe()}")
    return problems
