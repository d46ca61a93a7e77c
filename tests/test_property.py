"""Hypothesis properties of diff + plan + apply, with the emulator as Canvas.

Each example seeds a fresh emulated Canvas with a generated current state, reads it back
through the real client, plans against a generated desired state, runs the plan with the
real apply (in-process transport, tests/emulated.py) and reads Canvas again:

(a) apply, then diff again: nothing left to do;
(b) the plan is deterministic and survives its JSON document (pure; no Canvas);
(c) sets the spec does not name are never touched;
(d) additive mode never takes a member out of a group, except to move them into the group
    the spec places them in.

Generated states are ones Canvas can hold (SIS ids unique in the course, one section, no
user twice in a set) and specs are ones Canvas can satisfy (limits that hold the members, a
leader only where members are written and where auto_leader cannot replace a null one).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from emulated import in_process_client
from hypothesis import example, given, reject, settings
from hypothesis import strategies as st

from reconciler.canvas import apply_plan, fetch_state
from reconciler.canvas.client import CanvasClient
from reconciler.diff import diff
from reconciler.document import plan_from_dict, plan_to_dict
from reconciler.errors import StateError
from reconciler.matching import match
from reconciler.model import (
    GROUP_FIELDS,
    GROUP_SET_FIELDS,
    CourseState,
    Group,
    GroupSet,
    MembersMode,
)
from reconciler.plan import Plan, build_plan
from reconciler.sandbox.clock import ManualClock
from reconciler.sandbox.state import EmulatorState

COURSE = 1
USERS = range(1, 13)
SET_NAMES = ["A", "B", "C", "D"]  # current sets; "D" is never in a spec
SPEC_SET_NAMES = ["A", "A", "B", "B", "C", "E"]  # "E" never exists in Canvas beforehand
GROUP_NAMES = ["G1", "G2", "G3", "G4"]
SET_SIS = ["s1", "s2", "s3"]
GROUP_SIS = [f"g{n}" for n in range(1, 9)]
SET_LIMITS = [None, 12, 14]  # never below the 12 users: a spec can always be satisfied
GROUP_LIMITS = [None, 12, 13]
LABELS = {uid: f"u{uid:02d}" for uid in USERS}

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]
SETTINGS = settings(max_examples=200, deadline=None)


def maybe(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([None, *values])


def set_fields(draw: Draw[Any]) -> dict[str, Any]:
    return {"self_signup": draw(maybe("enabled", "restricted")),
            "auto_leader": draw(maybe("first", "random")),
            "group_limit": draw(st.sampled_from(SET_LIMITS))}


def group_fields(draw: Draw[Any]) -> dict[str, Any]:
    # join_level is never null: Canvas always keeps one, and a spec cannot ask for null
    return {"description": draw(maybe("one", "two", "")),
            "max_membership": draw(st.sampled_from(GROUP_LIMITS)),
            "join_level": draw(st.sampled_from(["invitation_only", "parent_context_auto_join"]))}


def partition(draw: Draw[Any], count: int) -> list[frozenset[int]]:
    """Each user in at most one of `count` groups (one group per set)."""
    slots = draw(st.lists(st.integers(-1, count - 1), min_size=len(USERS),
                          max_size=len(USERS)))
    return [frozenset(u for u, s in zip(USERS, slots, strict=True) if s == i)
            for i in range(count)]


def sis_ids(draw: Draw[Any], pool: list[str], count: int) -> list[str | None]:
    """Unique SIS ids (or None) for `count` entities."""
    chosen = draw(st.permutations(pool))
    return [chosen[i] if i < len(chosen) and draw(st.booleans()) else None
            for i in range(count)]


# --- the current state ------------------------------------------------------------------

@st.composite
def current_states(draw: Draw[Any]) -> CourseState:
    ids: Iterator[int] = itertools.count(1)
    group_sis = iter(draw(st.permutations(GROUP_SIS)))  # unique in the course, as in Canvas
    names = draw(st.lists(st.sampled_from(SET_NAMES), unique=True, min_size=1, max_size=3))
    sis = sis_ids(draw, SET_SIS, len(names))
    sets = [current_set(draw, name, sis_id, ids, group_sis)
            for name, sis_id in zip(names, sis, strict=True)]
    protected = GroupSet(name="P", canvas_id=next(ids), protected=True,
                         groups=(Group(name="G1", canvas_id=next(ids), members=frozenset({1})),))
    return CourseState(course_id=COURSE, group_sets=(*sets, protected))


def current_set(draw: Draw[Any], name: str, sis_id: str | None, ids: Iterator[int],
                group_sis: Iterator[str]) -> GroupSet:
    names = draw(st.lists(st.sampled_from(GROUP_NAMES), unique=True, max_size=4))
    groups = []
    for gname, members in zip(names, partition(draw, len(names)), strict=True):
        leader = draw(st.sampled_from(sorted(members))) if members and draw(
            st.booleans()) else None
        gsis = next(group_sis, None) if draw(st.booleans()) else None
        groups.append(Group(name=gname, canvas_id=next(ids), members=members, leader=leader,
                            sis_id=gsis, **group_fields(draw)))
    return GroupSet(name=name, canvas_id=next(ids), sis_id=sis_id, groups=tuple(groups),
                    **set_fields(draw))


def seed(current: CourseState) -> EmulatorState:
    """A fresh emulated Canvas holding `current`, ids and all."""
    state = EmulatorState(ManualClock())
    state.add_course("Property course", id=current.course_id)
    section = state.add_section(current.course_id, "Lab")
    for uid in USERS:
        state.add_user(f"User {uid}", login_id=LABELS[uid], id=uid)
        state.enroll(uid, current.course_id, section_id=section.id)
    for gset in current.group_sets:
        category = state.create_category(
            current.course_id, gset.name, id=gset.canvas_id, self_signup=gset.self_signup,
            auto_leader=gset.auto_leader, group_limit=gset.group_limit, sis_id=gset.sis_id,
            role="student_organized" if gset.protected else None)
        for g in gset.groups:
            group = state.create_group(
                category.id, g.name, id=g.canvas_id, description=g.description,
                max_membership=g.max_membership, join_level=g.join_level or "invitation_only",
                sis_id=g.sis_id, leader_id=g.leader)
            for uid in sorted(g.members or ()):
                state.add_membership(group.id, uid)
    return state


# --- the desired state ------------------------------------------------------------------

@st.composite
def scenarios(draw: Draw[Any], mode: MembersMode | None = None
              ) -> tuple[CourseState, CourseState]:
    """(current, desired); a spec set often reuses the group names of the Canvas set it
    matches, so members move between existing groups."""
    current: CourseState = draw(current_states())
    names = draw(st.lists(st.sampled_from(SPEC_SET_NAMES), unique=True, min_size=1,
                          max_size=3))
    keys = [GroupSet(name=n, sis_id=s) for n, s in
            zip(names, sis_ids(draw, SET_SIS, len(names)), strict=True)]
    try:
        owned = match(keys, current.group_sets, "course", "group set")
    except StateError:
        owned = [(key, None) for key in keys]  # the diff refuses it too; (a) assumes it away
    sets = [desired_set(draw, key, mode, have) for key, have in owned]
    return current, CourseState(course_id=COURSE, group_sets=tuple(sets))


def subset(draw: Draw[Any], fields: frozenset[str]) -> frozenset[str]:
    return frozenset(draw(st.sets(st.sampled_from(sorted(fields)))))


def rarely(draw: Draw[Any]) -> bool:
    return bool(draw(st.sampled_from([False] * 7 + [True])))


def group_names(draw: Draw[Any], owned: GroupSet | None) -> list[str]:
    if owned is not None and owned.groups and draw(st.booleans()):
        return [g.name for g in owned.groups]
    names: list[str] = draw(st.lists(st.sampled_from(GROUP_NAMES), unique=True, max_size=4))
    return names


def desired_set(draw: Draw[Any], key: GroupSet, mode: MembersMode | None,
                owned: GroupSet | None) -> GroupSet:
    """A spec set; its groups take SIS ids only from the Canvas set it owns (so an SIS id
    moves a group within its set) or fresh ones: Canvas refuses an SIS id taken elsewhere."""
    names = group_names(draw, owned)
    pool = [g.sis_id for g in owned.groups if g.sis_id] if owned else []
    fresh = [f"{key.name}-new-{n}" for n in range(len(names))]
    sis = sis_ids(draw, [*pool, *fresh], len(names))
    managed = subset(draw, GROUP_SET_FIELDS)
    fields = set_fields(draw)
    mode = mode or draw(st.sampled_from(["exact", "additive", "seed", "observe"]))
    auto = fields["auto_leader"] if "auto_leader" in managed else (
        owned.auto_leader if owned else None)
    leaders = mode in ("exact", "additive")
    groups = [desired_group(draw, gname, members, gsis, leaders, auto is not None)
              for gname, members, gsis in zip(names, partition(draw, len(names)), sis,
                                             strict=True)]
    return GroupSet(name=key.name, sis_id=key.sis_id, groups=tuple(groups),
                    absent=rarely(draw), managed=managed, **fields, members_mode=mode,
                    unmanaged_groups=draw(st.sampled_from(["delete", "keep"])))


def desired_group(draw: Draw[Any], name: str, members: frozenset[int], sis_id: str | None,
                  leaders: bool, auto_leader: bool) -> Group:
    managed = subset(draw, GROUP_FIELDS)
    wanted = draw(st.sampled_from([None, frozenset(), members, members]))
    leader = None
    if leaders and wanted and draw(st.booleans()):
        managed |= {"leader"}
        # with auto_leader on, Canvas gives a leaderless group a leader when members change
        leader = draw(st.sampled_from([*([] if auto_leader else [None]), *sorted(wanted)]))
    return Group(name=name, sis_id=sis_id, members=wanted, leader=leader, managed=managed,
                 absent=rarely(draw), **group_fields(draw))


# --- running it -------------------------------------------------------------------------

def plan_for(desired: CourseState, current: CourseState) -> Plan:
    """The plan; examples the diff refuses (StateError) are outside the properties."""
    try:
        return build_plan(diff(desired, current), current, LABELS)
    except StateError:
        reject()


def applied(current: CourseState, desired: CourseState) \
        -> tuple[CourseState, Plan, CourseState]:
    """(Canvas before, the plan, Canvas after) with `current` seeded into a fresh emulator."""
    client: CanvasClient = in_process_client(seed(current))
    before = fetch_state(client, COURSE)
    plan = plan_for(desired, before)
    report = apply_plan(client, plan)
    assert report.ok, report.lines()
    return before, plan, fetch_state(client, COURSE)


def _state(*sets: GroupSet) -> CourseState:
    return CourseState(course_id=COURSE, group_sets=sets)


def _want(name: str, members: frozenset[int] | None = None, **kw: Any) -> Group:
    return Group(name=name, members=members, **{"managed": frozenset(), **kw})


def _swap(mode: MembersMode) -> tuple[CourseState, CourseState]:
    """Users 1 and 2 trade groups: each PUT moves someone out of the other group."""
    now = _state(GroupSet(name="A", canvas_id=1, groups=(
        Group(name="G1", canvas_id=2, members=frozenset({1, 3})),
        Group(name="G2", canvas_id=3, members=frozenset({2})))))
    want = _state(GroupSet(name="A", members_mode=mode, groups=(
        _want("G1", frozenset({2})), _want("G2", frozenset({1})))))
    return now, want


RENAME_AND_REUSE = (
    _state(GroupSet(name="A", canvas_id=1, groups=(
        Group(name="G1", canvas_id=2, sis_id="g1", members=frozenset({1})),))),
    _state(GroupSet(name="A", groups=(_want("G2", sis_id="g1"),
                                      _want("G1", frozenset({1}))))),
)
ABSENT_BY_SIS = (
    _state(GroupSet(name="A", canvas_id=1, sis_id="s1"), GroupSet(name="B", canvas_id=2)),
    _state(GroupSet(name="B", sis_id="s1", absent=True)),
)
LIMIT_COPIED_INTO_GROUPS = (  # the set's new limit lands in G1 before G1's own update
    _state(GroupSet(name="A", canvas_id=1, group_limit=12, groups=(
        Group(name="G1", canvas_id=2, max_membership=12, members=frozenset({1})),))),
    _state(GroupSet(name="A", group_limit=14, managed=frozenset({"group_limit"}), groups=(
        _want("G1", max_membership=12, managed=frozenset({"max_membership"})),))),
)
SET_RENAMED_AWAY_AND_NAME_REUSED = (
    _state(GroupSet(name="B", canvas_id=1, sis_id="s1")),
    _state(GroupSet(name="Z", sis_id="s1"), GroupSet(name="B")),
)


@SETTINGS
@example(scenario=_swap("exact"))
@example(scenario=_swap("additive"))
@example(scenario=RENAME_AND_REUSE)
@example(scenario=ABSENT_BY_SIS)
@example(scenario=SET_RENAMED_AWAY_AND_NAME_REUSED)
@example(scenario=LIMIT_COPIED_INTO_GROUPS)
@given(scenario=scenarios())
def test_apply_then_diff_is_empty(scenario: tuple[CourseState, CourseState]) -> None:
    *_, after = applied(*scenario)
    assert [op.describe() for op in diff(scenario[1], after)] == []


@SETTINGS
@given(scenario=scenarios())
def test_plan_is_deterministic(scenario: tuple[CourseState, CourseState]) -> None:
    current, desired = scenario
    plan = plan_for(desired, current)
    reordered = current.model_copy(update={"group_sets": tuple(reversed(current.group_sets))})
    assert plan_for(desired, current) == plan == plan_for(desired, reordered)
    doc = plan_to_dict(plan)
    assert plan_from_dict(json.loads(json.dumps(doc))) == plan


def named_in(desired: CourseState, gset: GroupSet) -> bool:
    return any(w.name == gset.name or (w.sis_id is not None and w.sis_id == gset.sis_id)
               for w in desired.group_sets)


@SETTINGS
@given(scenario=scenarios())
def test_sets_not_named_are_never_touched(scenario: tuple[CourseState, CourseState]) -> None:
    desired = scenario[1]
    before, plan, after = applied(*scenario)
    now = {s.canvas_id: s for s in after.group_sets}
    spared = [s for s in before.group_sets if not named_in(desired, s)]
    assert [now.get(s.canvas_id) for s in spared] == spared
    touched = {op.set_name for op in plan.operations}
    assert not touched & {s.name for s in spared} - {w.name for w in desired.group_sets}


def placed(desired: CourseState, before: CourseState) -> dict[int | None, dict[int, str]]:
    """Canvas set id -> (user -> the group the spec places them in), for each set a spec
    set owns (by the product's own matching rule)."""
    out: dict[int | None, dict[int, str]] = {}
    for want, have in match(desired.group_sets, before.group_sets, "course", "group set"):
        if have is not None:
            out[have.canvas_id] = {uid: g.name for g in want.groups
                                   if not g.absent and g.members is not None
                                   for uid in g.members}
    return out


@SETTINGS
@given(scenario=scenarios(mode="additive"))
def test_additive_never_removes(scenario: tuple[CourseState, CourseState]) -> None:
    """A current member stays in their group unless the group is deleted or Canvas moved
    them into the group the spec places them in (one group per set)."""
    desired = scenario[1]
    before, _, after = applied(*scenario)
    sets_now = {s.canvas_id: s for s in after.group_sets}
    homes = placed(desired, before)
    lost = []
    for gset in before.group_sets:
        now_set = sets_now.get(gset.canvas_id)
        groups_now = {g.canvas_id: g for g in (now_set.groups if now_set else ())}
        spec_home = homes.get(gset.canvas_id, {})
        for group in gset.groups:
            now = groups_now.get(group.canvas_id)
            for uid in sorted(group.members or ()) if now is not None else ():
                home = next((g.name for g in groups_now.values()
                             if uid in (g.members or ())), None)
                moved_as_placed = home is not None and home == spec_home.get(uid)
                if uid not in (now.members or ()) and not moved_as_placed:
                    lost.append((gset.name, group.name, uid, home))
    assert lost == []
