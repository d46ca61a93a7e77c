"""Good specs -> the desired CourseState: managed fields are exactly the keys written."""

from __future__ import annotations

import pytest

from reconciler.model import CourseState, Group, GroupSet, Roster
from reconciler.spec import load_text, resolve

S01, S02, S03 = 1001, 1002, 1003


def desired(text: str, roster: Roster) -> CourseState:
    return resolve(load_text(text, "good.yaml"), roster, 101)


CASES: list[tuple[str, str, GroupSet]] = [
    ("bare-set-keeps-groups", "  - name: A\n",
     GroupSet(name="A", managed=frozenset(), unmanaged_groups="keep")),
    ("null-manages-to-null", "  - name: A\n    self_signup: null\n    groups: []\n",
     GroupSet(name="A", managed=frozenset({"self_signup"}))),
    ("all-set-fields", "  - name: A\n    self_signup: restricted\n    auto_leader: random\n"
     "    group_limit: 3\n    sis_id: 0012\n    members_mode: seed\n"
     "    unmanaged_groups: keep\n    groups: []\n",
     GroupSet(name="A", self_signup="restricted", auto_leader="random", group_limit=3,
              sis_id="0012", members_mode="seed", unmanaged_groups="keep")),
    ("members-unmanaged", "  - name: A\n    groups:\n      - name: G\n",
     GroupSet(name="A", managed=frozenset(),
              groups=(Group(name="G", managed=frozenset()),))),
    ("members-empty", "  - name: A\n    groups:\n      - name: G\n        members: []\n",
     GroupSet(name="A", managed=frozenset(),
              groups=(Group(name="G", members=frozenset(), managed=frozenset()),))),
    ("members-and-leader", "  - name: A\n    groups:\n      - name: G\n        leader: S02\n"
     "        description: null\n        members: [s01, {email: S02@Example.edu}, "
     "{sis_user_id: 20260003}, {canvas_id: 1004}]\n",
     GroupSet(name="A", managed=frozenset(), groups=(Group(
         name="G", members=frozenset({S01, S02, S03, 1004}), leader=S02,
         managed=frozenset({"leader", "description"})),))),
    ("leader-null", "  - name: A\n    groups:\n      - name: G\n        leader: null\n",
     GroupSet(name="A", managed=frozenset(), groups=(Group(
         name="G", managed=frozenset({"leader"})),))),
    ("numeric-name-kept-as-text", "  - name: 2026\n    groups:\n      - name: 1.50\n"
     "        max_membership: 2\n",
     GroupSet(name="2026", managed=frozenset(), groups=(Group(
         name="1.50", max_membership=2, managed=frozenset({"max_membership"})),))),
    ("absent-set-ignores-groups", "  - name: Old\n    state: absent\n    groups:\n"
     "      - name: G\n        members: [nobody, nobody]\n",
     GroupSet(name="Old", absent=True, managed=frozenset())),
    ("absent-group-ignores-members", "  - name: A\n    groups:\n      - name: G\n"
     "        state: absent\n        members: [nobody]\n",
     GroupSet(name="A", managed=frozenset(), groups=(Group(
         name="G", absent=True, managed=frozenset()),))),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_good_spec_gives_expected_state(body: str, expected: GroupSet, roster: Roster) -> None:
    state = desired("course: 101\ngroup_sets:\n" + body, roster)
    assert state == CourseState(course_id=101, group_sets=(expected,))


def test_members_by_sis_user_id_and_course_reference(roster: Roster) -> None:
    spec = load_text('course: "sis_course_id:DEMO-101"\nmembers_by: sis_user_id\ngroup_sets:\n'
                     "  - name: A\n    groups:\n      - name: G\n"
                     "        members: [20260001, '20260002']\n", "good.yaml")
    assert spec.course == "sis_course_id:DEMO-101"
    assert spec.members_by == "sis_user_id"
    group = resolve(spec, roster, 7).group_sets[0].groups[0]
    assert group.members == frozenset({S01, S02})


def test_quoted_numeric_course_is_an_id() -> None:
    assert load_text('course: "101"\ngroup_sets: []\n', "good.yaml").course == 101


def test_member_locations_are_kept() -> None:
    spec = load_text("course: 101\ngroup_sets:\n  - name: A\n    groups:\n      - name: G\n"
                     "        members: [s01,\n                  s02]\n", "good.yaml")
    assert spec.where(("group_sets", 0, "groups", 0, "members", 1)) == (7, 19)
