"""Hypothesis properties of diff + plan, executed by the in-memory Canvas of simulate.py.

(a) apply, then diff again: nothing left to do; (b) the plan is deterministic and survives
its JSON document; (c) sets the spec does not name are never touched; (d) additive mode
never removes a member.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hypothesis import example, given, settings
from hypothesis import strategies as st
from simulate import simulate

from reconciler.diff import diff
from reconciler.model import (
    GROUP_FIELDS,
    GROUP_SET_FIELDS,
    CourseState,
    Group,
    GroupSet,
    MembersMode,
)
from reconciler.ops import SetMembers
from reconciler.plan import Plan, build_plan, plan_from_dict, plan_to_dict

USERS = range(1, 13)
SET_NAMES = ["A", "B", "C", "D"]  # current sets; "D" is never in a spec
SPEC_SET_NAMES = ["A", "A", "B", "B", "C", "E"]  # "E" never exists in Canvas beforehand
GROUP_NAMES = ["G1", "G2", "G3", "G4"]
SET_SIS = ["s1", "s2", "s3"]
GROUP_SIS = ["g1", "g2", "g3"]
LABELS = {uid: f"u{uid:02d}" for uid in USERS}

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]
SETTINGS = settings(max_examples=200, deadline=None)


def maybe(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([None, *values])


def set_fields(draw: Draw[Any]) -> dict[str, Any]:
    return {"self_signup": draw(maybe("enabled", "restricted")),
            "auto_leader": draw(maybe("first", "random")),
            "group_limit": draw(maybe(2, 3, 5))}


def group_fields(draw: Draw[Any]) -> dict[str, Any]:
    return {"description": draw(maybe("one", "two")),
            "max_membership": draw(maybe(2, 4)),
            "join_level": draw(maybe("invitation_only", "parent_context_auto_join"))}


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


@st.composite
def current_states(draw: Draw[Any]) -> CourseState:
    ids: Iterator[int] = itertools.count(1)
    names = draw(st.lists(st.sampled_from(SET_NAMES), unique=True, min_size=1, max_size=3))
    sis = sis_ids(draw, SET_SIS, len(names))
    sets = [current_set(draw, name, sis_id, ids) for name, sis_id in zip(names, sis, strict=True)]
    protected = GroupSet(name="P", canvas_id=next(ids), protected=True,
                         groups=(Group(name="G1", canvas_id=next(ids), members=frozenset({1})),))
    return CourseState(course_id=1, group_sets=(*sets, protected))


def current_set(draw: Draw[Any], name: str, sis_id: str | None, ids: Iterator[int]) -> GroupSet:
    names = draw(st.lists(st.sampled_from(GROUP_NAMES), unique=True, max_size=4))
    sis = sis_ids(draw, GROUP_SIS, len(names))
    groups = []
    for gname, members, gsis in zip(names, partition(draw, len(names)), sis, strict=True):
        leader = draw(st.sampled_from(sorted(members))) if members and draw(
            st.booleans()) else None
        groups.append(Group(name=gname, canvas_id=next(ids), members=members, leader=leader,
                            sis_id=gsis, **group_fields(draw)))
    return GroupSet(name=name, canvas_id=next(ids), sis_id=sis_id, groups=tuple(groups),
                    **set_fields(draw))


@st.composite
def scenarios(draw: Draw[Any], mode: str | None = None) -> tuple[CourseState, CourseState]:
    """(current, desired); a spec set often reuses its Canvas namesake's group names, so
    members move between existing groups."""
    current: CourseState = draw(current_states())
    names = draw(st.lists(st.sampled_from(SPEC_SET_NAMES), unique=True, min_size=1,
                          max_size=3))
    sis = sis_ids(draw, SET_SIS, len(names))
    sets = [desired_set(draw, name, sis_id, mode, current.set_named(name))
            for name, sis_id in zip(names, sis, strict=True)]
    return current, CourseState(course_id=1, group_sets=tuple(sets))


def subset(draw: Draw[Any], fields: frozenset[str]) -> frozenset[str]:
    return frozenset(draw(st.sets(st.sampled_from(sorted(fields)))))


def rarely(draw: Draw[Any]) -> bool:
    return bool(draw(st.sampled_from([False] * 7 + [True])))


def group_names(draw: Draw[Any], namesake: GroupSet | None) -> list[str]:
    if namesake is not None and namesake.groups and draw(st.booleans()):
        return [g.name for g in namesake.groups]
    names: list[str] = draw(st.lists(st.sampled_from(GROUP_NAMES), unique=True, max_size=4))
    return names


def desired_set(draw: Draw[Any], name: str, sis_id: str | None, mode: str | None,
                namesake: GroupSet | None) -> GroupSet:
    names = group_names(draw, namesake)
    sis = sis_ids(draw, GROUP_SIS, len(names))
    groups = [desired_group(draw, gname, members, gsis) for gname, members, gsis
              in zip(names, partition(draw, len(names)), sis, strict=True)]
    return GroupSet(name=name, sis_id=sis_id, groups=tuple(groups), absent=rarely(draw),
                    managed=subset(draw, GROUP_SET_FIELDS), **set_fields(draw),
                    members_mode=mode or draw(st.sampled_from(
                        ["exact", "additive", "seed", "observe"])),
                    unmanaged_groups=draw(st.sampled_from(["delete", "keep"])))


def desired_group(draw: Draw[Any], name: str, members: frozenset[int],
                  sis_id: str | None) -> Group:
    managed = subset(draw, GROUP_FIELDS)
    wanted = draw(st.sampled_from([None, frozenset(), members, members]))
    leader = None
    if wanted and draw(st.booleans()):
        managed |= {"leader"}
        leader = draw(st.sampled_from([None, *sorted(wanted)]))
    return Group(name=name, sis_id=sis_id, members=wanted, leader=leader, managed=managed,
                 absent=rarely(draw), **group_fields(draw))


def plan_for(desired: CourseState, current: CourseState) -> Plan:
    return build_plan(diff(desired, current), current, LABELS)


def _state(*sets: GroupSet) -> CourseState:
    return CourseState(course_id=1, group_sets=sets)


def _swap(mode: MembersMode) -> tuple[CourseState, CourseState]:
    """Users 1 and 2 trade groups: each PUT moves someone out of the other group."""
    now = _state(GroupSet(name="A", canvas_id=1, groups=(
        Group(name="G1", canvas_id=2, members=frozenset({1, 3})),
        Group(name="G2", canvas_id=3, members=frozenset({2})))))
    want = _state(GroupSet(name="A", members_mode=mode, groups=(
        Group(name="G1", members=frozenset({2})), Group(name="G2", members=frozenset({1})))))
    return now, want


RENAME_AND_REUSE = (
    _state(GroupSet(name="A", canvas_id=1, groups=(
        Group(name="G1", canvas_id=2, sis_id="g1", members=frozenset({1})),))),
    _state(GroupSet(name="A", groups=(Group(name="G2", sis_id="g1"),
                                      Group(name="G1", members=frozenset({1}))))),
)
ABSENT_BY_SIS = (
    _state(GroupSet(name="A", canvas_id=1, sis_id="s1"), GroupSet(name="B", canvas_id=2)),
    _state(GroupSet(name="B", sis_id="s1", absent=True)),
)


@SETTINGS
@example(scenario=_swap("exact"))
@example(scenario=_swap("additive"))
@example(scenario=RENAME_AND_REUSE)
@example(scenario=ABSENT_BY_SIS)
@given(scenario=scenarios())
def test_apply_then_diff_is_empty(scenario: tuple[CourseState, CourseState]) -> None:
    current, desired = scenario
    after = simulate(current, plan_for(desired, current))
    assert [op.describe() for op in diff(desired, after)] == []


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
    current, desired = scenario
    plan = plan_for(desired, current)
    after = {s.canvas_id: s for s in simulate(current, plan).group_sets}
    spared = [s for s in current.group_sets if not named_in(desired, s)]
    assert [after.get(s.canvas_id) for s in spared] == spared
    touched = {op.set_name for op in plan.operations}
    assert not touched & {s.name for s in spared} - {w.name for w in desired.group_sets}


@SETTINGS
@given(scenario=scenarios(mode="additive"))
def test_additive_never_removes(scenario: tuple[CourseState, CourseState]) -> None:
    current, desired = scenario
    ops = plan_for(desired, current).operations
    assert [op.remove for op in ops if isinstance(op, SetMembers) and op.remove] == []
