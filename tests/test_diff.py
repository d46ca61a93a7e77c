"""diff(): table-driven over desired / current / expected `op.as_dict()`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from reconciler.diff import diff, drift
from reconciler.errors import StateError
from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import UpdateGroup

NONE: frozenset[str] = frozenset()


def want_set(name: str, *groups: Group, managed: frozenset[str] = NONE,
             **kw: Any) -> GroupSet:
    return GroupSet(name=name, groups=groups, managed=managed, **kw)


def want(name: str, members: set[int] | None = None, managed: frozenset[str] = NONE,
         **kw: Any) -> Group:
    return Group(name=name, members=None if members is None else frozenset(members),
                 managed=managed, **kw)


def have_set(name: str, cid: int, *groups: Group, **kw: Any) -> GroupSet:
    return GroupSet(name=name, canvas_id=cid, groups=groups, **kw)


def have(name: str, cid: int, members: Iterable[int] = (), **kw: Any) -> Group:
    return Group(name=name, canvas_id=cid, members=frozenset(members), **kw)


def course(*sets: GroupSet) -> CourseState:
    return CourseState(course_id=7, group_sets=sets)


CURRENT = course(
    have_set("Project Teams", 10,
             have("Team 1", 101, {1, 2}, description="old", leader=1),
             have("Team 2", 102, {3, 4}),
             auto_leader="first", group_limit=4),
    have_set("Other", 20, have("X", 201, {5})),
    have_set("Student Groups", 30, protected=True),
)
KEEP: dict[str, Any] = {"unmanaged_groups": "keep"}


def ops_of(desired: CourseState, current: CourseState = CURRENT) -> list[dict[str, Any]]:
    return sorted((op.as_dict() for op in diff(desired, current)),
                  key=lambda d: json.dumps(d, sort_keys=True))


def expect(*docs: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(docs, key=lambda d: json.dumps(d, sort_keys=True))


def create_group(set_name: str, group: str, set_id: int | None,
                 **settings: Any) -> dict[str, Any]:
    return {"action": "create", "type": "group", "set": set_name, "set_id": set_id,
            "group": group, "settings": {"name": group, **settings}}


def members(set_name: str, group: str, cid: int | None, to: list[int], add: list[int],
            remove: list[int], mode: str = "exact") -> dict[str, Any]:
    return {"action": "set_members", "type": "group", "set": set_name, "group": group,
            "canvas_id": cid, "members": to, "add": add, "remove": remove,
            "members_mode": mode, "has_submissions": False}


def delete_group(group: str, cid: int, count: int, set_name: str = "Project Teams"
                 ) -> dict[str, Any]:
    return {"action": "delete", "type": "group", "set": set_name, "group": group,
            "canvas_id": cid, "member_count": count, "has_submissions": False}


SAME_TEAMS = (want("Team 1", {1, 2}), want("Team 2", {3, 4}))

CASES: list[tuple[str, CourseState, list[dict[str, Any]]]] = [
    ("in sync", course(want_set("Project Teams", *SAME_TEAMS)), []),
    ("sets not named are untouched", course(), []),
    ("new set with groups; empty members need no write",
     course(want_set("Labs", want("Lab 1", {1, 2}, frozenset({"description"}),
                                  description="Tue"), want("Lab 2", set()),
                     managed=frozenset({"group_limit", "self_signup"}), group_limit=3)),
     expect({"action": "create", "type": "group_set", "set": "Labs",
             "settings": {"name": "Labs", "group_limit": 3, "self_signup": None}},
            create_group("Labs", "Lab 1", None, description="Tue"),
            members("Labs", "Lab 1", None, [1, 2], [1, 2], []),
            create_group("Labs", "Lab 2", None))),
    ("new set skips its absent groups",
     course(want_set("Labs", want("Gone", absent=True))),
     [{"action": "create", "type": "group_set", "set": "Labs", "settings": {"name": "Labs"}}]),
    ("unmanaged fields and members (None) untouched",
     course(want_set("Project Teams", want("Team 1"), want("Team 2"))), []),
    ("members [] empties the group",
     course(want_set("Project Teams", want("Team 1", set()), want("Team 2"))),
     [members("Project Teams", "Team 1", 101, [], [], [1, 2])]),
    ("changed managed group field only",
     course(want_set("Project Teams", want("Team 1", managed=frozenset(
         {"description", "max_membership"}), description="new"), want("Team 2"))),
     [{"action": "update", "type": "group", "set": "Project Teams", "group": "Team 1",
       "canvas_id": 101, "changes": [{"field": "description", "old": "old", "new": "new"}]}]),
    ("set update: the change, and the set's current settings beside it",
     course(want_set("Project Teams", *SAME_TEAMS, managed=frozenset({"self_signup"}),
                     self_signup="enabled")),
     [{"action": "update", "type": "group_set", "set": "Project Teams", "canvas_id": 10,
       "changes": [{"field": "self_signup", "old": None, "new": "enabled"}],
       "current": {"name": "Project Teams", "self_signup": None,
                   "auto_leader": "first", "group_limit": 4, "sis_id": None}}]),
    ("absent set that exists is deleted, with no group deletes",
     course(want_set("Project Teams", absent=True)),
     [{"action": "delete", "type": "group_set", "set": "Project Teams", "canvas_id": 10,
       "group_count": 2}]),
    ("absent set that does not exist: nothing", course(want_set("Nope", absent=True)), []),
    ("absent group that exists is deleted",
     course(want_set("Project Teams", want("Team 2", absent=True), want("Nope", absent=True),
                     **KEEP)),
     [delete_group("Team 2", 102, 2)]),
    ("groups not in the spec are deleted by default",
     course(want_set("Project Teams", want("Team 1"))), [delete_group("Team 2", 102, 2)]),
    ("unmanaged_groups keep leaves them",
     course(want_set("Project Teams", want("Team 1"), **KEEP)), []),
    ("exact: a user moves between groups",
     course(want_set("Project Teams", want("Team 1", {1, 3}), want("Team 2", {2, 4}))),
     expect(members("Project Teams", "Team 1", 101, [1, 3], [3], [2]),
            members("Project Teams", "Team 2", 102, [2, 4], [2], [3]))),
    ("additive: adds, never removes; a user claimed elsewhere is left out",
     course(want_set("Project Teams", want("Team 1", {5}), want("Team 2", {1}),
                     members_mode="additive")),
     expect(members("Project Teams", "Team 1", 101, [2, 5], [5], [], "additive"),
            members("Project Teams", "Team 2", 102, [1, 3, 4], [1], [], "additive"))),
    ("additive: nothing to add, nothing written",
     course(want_set("Project Teams", want("Team 1", {1}), want("Team 2", set()),
                     members_mode="additive")), []),
    ("seed: existing groups untouched, new groups seeded",
     course(want_set("Project Teams", want("Team 1", {9}), want("Team 2", {3, 4}),
                     want("Team 3", {7}), members_mode="seed")),
     expect(create_group("Project Teams", "Team 3", 10),
            members("Project Teams", "Team 3", None, [7], [7], [], "seed"))),
    ("observe: no writes at all",
     course(want_set("Project Teams", want("Team 1", {9}), want("New", {1}),
                     managed=frozenset({"group_limit"}), group_limit=9,
                     members_mode="observe")), []),
    ("observe: a new set is not created", course(want_set("Labs", members_mode="observe")), []),
    ("leader managed and changed",
     course(want_set("Project Teams", want("Team 1", managed=frozenset({"leader"}), leader=2),
                     want("Team 2", managed=frozenset({"leader"})))),
     [{"action": "set_leader", "type": "group", "set": "Project Teams", "group": "Team 1",
       "canvas_id": 101, "leader": 2, "old": 1}]),
    ("leader not managed: ignored",
     course(want_set("Project Teams", want("Team 1", leader=2), want("Team 2"))), []),
    ("leader of a new group",
     course(want_set("Project Teams", want("Team 1"), want("Team 2"),
                     want("Team 3", {6}, frozenset({"leader"}), leader=6))),
     expect(create_group("Project Teams", "Team 3", 10),
            members("Project Teams", "Team 3", None, [6], [6], []),
            {"action": "set_leader", "type": "group", "set": "Project Teams",
             "group": "Team 3", "canvas_id": None, "leader": 6, "old": None})),
]


@pytest.mark.parametrize(("desired", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_diff(desired: CourseState, expected: list[dict[str, Any]]) -> None:
    assert ops_of(desired) == expected


SIS_CURRENT = course(
    have_set("Old Name", 10, have("Alpha", 101, {1}, sis_id="g-1"), have("Beta", 102, {2}),
             sis_id="set-1"),
)

SIS_CASES: list[tuple[str, CourseState, list[dict[str, Any]]]] = [
    ("set and group renamed through their sis ids",
     course(want_set("New Name", want("Alpha 2", {1}, sis_id="g-1"), want("Beta", {2}),
                     sis_id="set-1")),
     [{"action": "update", "type": "group_set", "set": "New Name", "canvas_id": 10,
       "changes": [{"field": "name", "old": "Old Name", "new": "New Name"}],
       "current": {"name": "Old Name", "self_signup": None, "auto_leader": None,
                   "group_limit": None, "sis_id": "set-1"}},
      {"action": "update", "type": "group", "set": "New Name", "group": "Alpha 2",
       "canvas_id": 101, "changes": [{"field": "name", "old": "Alpha", "new": "Alpha 2"}]}]),
    ("a name held by a group claimed through its sis id is not matched again",
     course(want_set("Old Name", want("Alpha", sis_id="g-9", managed=frozenset({"sis_id"})),
                     want("Renamed", sis_id="g-1"), want("Beta"))),
     [{"action": "update", "type": "group", "set": "Old Name", "group": "Renamed",
       "canvas_id": 101, "changes": [{"field": "name", "old": "Alpha", "new": "Renamed"}]},
      create_group("Old Name", "Alpha", 10, sis_id="g-9")]),
    ("an absent entry with an sis id is matched only by it, never by name",
     course(want_set("Old Name", want("Beta", absent=True, sis_id="g-2"),
                     want("Alpha", absent=True, sis_id="g-1"), unmanaged_groups="keep")),
     [delete_group("Alpha", 101, 1, "Old Name")]),
    ("an absent set with an unknown sis id: nothing",
     course(want_set("Old Name", absent=True, sis_id="set-9")), []),
    ("sis id not in Canvas falls back to the name and sets it",
     course(want_set("Old Name", want("Beta", sis_id="g-2", managed=frozenset({"sis_id"})),
                     want("Alpha"))),
     [{"action": "update", "type": "group", "set": "Old Name", "group": "Beta",
       "canvas_id": 102, "changes": [{"field": "sis_id", "old": None, "new": "g-2"}]}]),
]


@pytest.mark.parametrize(("desired", "expected"), [c[1:] for c in SIS_CASES],
                         ids=[c[0] for c in SIS_CASES])
def test_diff_sis_matching(desired: CourseState, expected: list[dict[str, Any]]) -> None:
    assert ops_of(desired, SIS_CURRENT) == expect(*expected)


DUPLICATES = course(have_set("Project Teams", 10, have("Team 1", 5), have("Team 1", 9),
                             have("Team 2", 11)))

ERROR_CASES: list[tuple[str, CourseState, CourseState, str]] = [
    ("duplicate group names", course(want_set("Project Teams", want("Team 1"))), DUPLICATES,
     "group set 'Project Teams' has 2 groups named 'Team 1' (ids 5, 9); rename one in "
     "Canvas or give the spec an sis_id"),
    ("duplicate names also block deleting one by name",
     course(want_set("Project Teams", want("Team 1", absent=True))), DUPLICATES,
     "2 groups named 'Team 1'"),
    ("protected set", course(want_set("Student Groups")), CURRENT,
     "protected group set 'Student Groups' (id 30)"),
    ("two spec sets claim one Canvas set",
     course(want_set("Project Teams"), want_set("Project Teams", sis_id="q")), CURRENT,
     "spec entries 'Project Teams' and 'Project Teams' both match group set 'Project Teams'"),
]


@pytest.mark.parametrize(("desired", "current", "message"), [c[1:] for c in ERROR_CASES],
                         ids=[c[0] for c in ERROR_CASES])
def test_diff_refuses(desired: CourseState, current: CourseState, message: str) -> None:
    with pytest.raises(StateError) as caught:
        diff(desired, current)
    assert message in caught.value.message


def test_duplicates_matched_by_sis_id_are_fine() -> None:
    current = course(have_set("S", 1, have("T", 5, sis_id="a"), have("T", 9, sis_id="b")))
    desired = course(want_set("S", want("T", {1}, sis_id="a"), want("T", set(), sis_id="b")))
    assert ops_of(desired, current) == expect(members("S", "T", 5, [1], [1], []))


def test_sets_not_named_are_never_touched() -> None:
    ops = diff(course(want_set("Project Teams", want("Team 1", set()))), CURRENT)
    assert {op.set_name for op in ops} == {"Project Teams"}


def test_diff_is_deterministic() -> None:
    desired = course(want_set("Project Teams", want("Team 1", {3}), want("New", {1, 2})),
                     want_set("Labs", want("L", {4})))
    first = [op.as_dict() for op in diff(desired, CURRENT)]
    assert all([op.as_dict() for op in diff(desired, CURRENT)] == first for _ in range(3))


OBSERVED = course(want_set("Project Teams", want("Team 1", {9}), want("Team 2", {3, 4}),
                           members_mode="observe", **KEEP))


def test_drift_describes_what_observe_leaves_alone() -> None:
    assert drift(OBSERVED, CURRENT) == [
        "group set 'Project Teams' (observe, not changed): Canvas differs from the spec: "
        "would set members of 'Team 1' in 'Project Teams': +1 -2"]


def test_drift_is_empty_when_in_sync_or_not_observed() -> None:
    in_sync = course(want_set("Project Teams", *SAME_TEAMS, members_mode="observe"))
    exact = course(want_set("Project Teams", want("Team 1", {9})))
    assert drift(in_sync, CURRENT) == [] and drift(exact, CURRENT) == []


def test_drift_reports_state_errors_instead_of_raising() -> None:
    observed = course(want_set("Project Teams", want("Team 1"), members_mode="observe"))
    [line] = drift(observed, DUPLICATES)
    assert "2 groups named 'Team 1'" in line


def _limit_states(spec_max: int | None, canvas_max: int | None, canvas_limit: int | None,
                  spec_limit: int | None) -> tuple[CourseState, CourseState]:
    managed_set = frozenset({"group_limit"})
    desired = CourseState(course_id=1, group_sets=(GroupSet(
        name="Teams", group_limit=spec_limit, managed=managed_set, groups=(Group(
            name="T1", max_membership=spec_max, managed=frozenset({"max_membership"})),)),))
    current = CourseState(course_id=1, group_sets=(GroupSet(
        name="Teams", group_limit=canvas_limit, canvas_id=5, groups=(Group(
            name="T1", max_membership=canvas_max, canvas_id=50),)),))
    return desired, current


@pytest.mark.parametrize(("spec_max", "canvas_max", "canvas_limit", "spec_limit", "changes"), [
    (None, 4, 4, 4, []),                                   # Canvas filled it from the set
    (None, 3, 3, 5, []),                                   # the set's new limit rewrites it
    (None, 4, None, None, [("max_membership", 4, None)]),  # no limit to inherit: a real change
    (None, 6, 4, 4, [("max_membership", 6, None)]),        # set by hand, not inherited
    (8, 4, 4, 4, [("max_membership", 4, 8)]),
    # A changed limit is copied into every group before groups are updated (groups.md §4.2):
    (2, 2, None, 3, [("max_membership", 3, 2)]),           # so an equal value is rewritten
    (None, 6, 4, 5, []),                                   # and a hand-set one is replaced
])
def test_null_max_membership_means_the_sets_limit(
        spec_max: int | None, canvas_max: int | None, canvas_limit: int | None,
        spec_limit: int | None, changes: list[tuple[str, int | None, int | None]]) -> None:
    desired, current = _limit_states(spec_max, canvas_max, canvas_limit, spec_limit)
    group_ops = [op for op in diff(desired, current) if isinstance(op, UpdateGroup)]
    assert [(c.field, c.old, c.new) for op in group_ops for c in op.changes] == changes


# --- safety in the diff -----------------------------------------------------------------

def test_a_protected_set_never_deletes_a_group() -> None:
    desired = course(want_set("Project Teams", want("Team 1"), protect=True))
    assert ops_of(desired) == []


def test_clearing_an_sis_id_is_never_attempted() -> None:
    current = course(have_set("S", 1, have("G", 2, sis_id="g-1"), sis_id="s-1"))
    desired = course(want_set("S", want("G", sis_id=None, managed=frozenset({"sis_id"})),
                              sis_id=None, managed=frozenset({"sis_id"})))
    assert ops_of(desired, current) == []


def test_writes_that_touch_a_group_with_submissions_say_so() -> None:
    current = course(have_set("S", 1, have("A", 2, {1, 2}, has_submission=True),
                              have("B", 3, {3}, has_submission=True)))
    desired = course(want_set("S", want("A", {1}), want("B", {3, 4})))
    by_group = {d["group"]: d["has_submissions"] for d in ops_of(desired, current)}
    assert by_group == {"A": True, "B": False}  # B only gains a member
    gone = ops_of(course(want_set("S", want("B"))), current)
    assert gone == [{**delete_group("A", 2, 2, "S"), "has_submissions": True}]


@pytest.mark.parametrize(("members", "limit", "set_limit", "error"), [
    ({1, 2, 3}, 2, None, "group 'A' in 'S' can hold 2 members"),   # Canvas's own limit
    ({1, 2, 3}, None, 2, "can hold 2 members"),                     # the set's limit
    ({1, 2}, 2, None, None),
    ({1, 2, 3, 4}, None, None, None),
])
def test_a_group_that_cannot_hold_its_members_stops_the_plan(
        members: set[int], limit: int | None, set_limit: int | None, error: str | None) -> None:
    current = course(have_set("S", 1, have("A", 2, {1}, max_membership=limit),
                              group_limit=set_limit))
    desired = course(want_set("S", want("A", members)))
    if error is None:
        assert len(ops_of(desired, current)) == 1
        return
    with pytest.raises(StateError, match=error):
        diff(desired, current)


def test_an_over_full_group_may_still_lose_members() -> None:
    """Canvas checks room only for new members: removing some from an over-full group
    works, and is planned."""
    current = course(have_set("S", 1, have("A", 2, {1, 2, 3, 4}, max_membership=2)))
    assert [d["remove"] for d in ops_of(course(want_set("S", want("A", {1, 2, 3}))),
                                        current)] == [[4]]
    with pytest.raises(StateError, match="can hold 2 members"):
        diff(course(want_set("S", want("A", {1, 2, 5}))), current)


def test_a_group_created_in_a_limited_set_is_checked_against_the_set_limit() -> None:
    current = course(have_set("S", 1, group_limit=3))
    with pytest.raises(StateError, match="group 'New' in 'S' can hold 3 members"):
        diff(course(want_set("S", want("New", {1, 2, 3, 4}))), current)
