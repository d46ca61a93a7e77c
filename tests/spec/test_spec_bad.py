"""A corpus of bad specs: each must give a clean SpecError at the exact node, in words a
newcomer understands (and never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import SpecError
from reconciler.spec import load_text, resolve
from tests.spec.bad_sources import LOAD_CASES, RESOLVE_CASES
from tests.spec.test_spec_assign import SECTIONS, sectioned

FIXTURES = Path(__file__).parent / "fixtures"

H = "course: 101\ngroup_sets:\n"
S = H + "  - name: Teams\n"                          # set keys on line 4+, column 5
G = S + "    groups:\n      - name: T1\n"            # group T1 on line 5; its keys on line 6+
LONG = "x" * 256

# (id, yaml text, line, column, message fragment)
CASES: list[tuple[str, str, int, int, str]] = [
    # --- syntax and file shape
    ("tab-indent", "course: 101\n\tgroup_sets: []\n", 2, 1, "spaces, not tabs"),
    ("unclosed-flow", "course: 101\ngroup_sets: [\n", 2, 13, "the [ or { opened here"),
    ("colon-in-value", S.replace("Teams", "Teams: A"), 3, 16, "must be quoted"),
    ("two-documents", "course: 1\ngroup_sets: []\n---\ncourse: 2\n", 3, 1,
     "expected a single document"),
    ("bad-indent", H + "  - name: a\n   self_signup: null\n", 4, 4, "YAML syntax error"),
    ("empty-file", "", 1, 1, "the spec file is empty"),
    ("comments-only", "# nothing yet\n", 1, 1, "the spec file is empty"),
    ("root-is-list", "- course: 101\n", 1, 1, "must be a mapping"),
    ("root-is-scalar", "hello\n", 1, 1, "must be a mapping"),
    ("duplicate-key", "course: 101\ncourse: 102\ngroup_sets: []\n", 2, 1,
     "duplicate key 'course' (first given on line 1)"),
    ("complex-key", "course: 101\ngroup_sets: []\n? [a, b]\n: 1\n", 3, 3, "plain word"),
    # --- schema: top level
    ("unknown-top-key", "course: 101\ngroup_sets: []\ngroup_set: []\n", 3, 1,
     "unknown key 'group_set' — did you mean 'group_sets'?"),
    ("missing-course", "group_sets: []\n", 1, 1, "the file is missing the required key 'course'"),
    ("missing-group-sets", "course: 101\n", 1, 1, "missing the required key 'group_sets'"),
    ("course-bad-text", "course: CS101\ngroup_sets: []\n", 1, 9, "got 'CS101'"),
    ("course-zero", "course: 0\ngroup_sets: []\n", 1, 9, "positive number, got 0"),
    ("course-list", "course: [101]\ngroup_sets: []\n", 1, 9, "Canvas course id (like 101)"),
    ("members-by-enum", "course: 101\nmembers_by: mail\ngroup_sets: []\n", 2, 13,
     "'mail' is not allowed; use one of: login_id, sis_user_id, email, canvas_id"),
    ("version", "version: 2\ncourse: 101\ngroup_sets: []\n", 1, 10, "use one of: 1"),
    ("group-sets-not-list", "course: 101\ngroup_sets: Teams\n", 2, 13,
     "group_sets: expected a list, got 'Teams'"),
    # --- schema: group sets
    ("set-missing-name", H + "  - groups: []\n", 3, 5,
     "this group set is missing the required key 'name'"),
    ("set-unknown-key", S + "    self_sign_up: enabled\n", 4, 5, "did you mean 'self_signup'?"),
    ("self-signup-enum", S + "    self_signup: enable\n", 4, 18,
     "use one of: null, enabled, restricted — did you mean 'enabled'?"),
    ("auto-leader-enum", S + "    auto_leader: last\n", 4, 18, "null, first, random"),
    ("group-limit-one", S + "    group_limit: 1\n", 4, 18, "must be greater than 1"),
    ("group-limit-text", S + "    group_limit: four\n", 4, 18,
     "expected a whole number, got 'four'"),
    ("group-limit-float", S + "    group_limit: 2.5\n", 4, 18, "expected a whole number, got 2.5"),
    ("state-enum", S + "    state: deleted\n", 4, 12, "use one of: present, absent"),
    ("members-mode-enum", S + "    members_mode: sync\n", 4, 19,
     "exact, additive, seed, observe"),
    ("unmanaged-groups-enum", S + "    unmanaged_groups: archive\n", 4, 23, "delete, keep"),
    ("set-name-empty", H + "  - name: ''\n", 3, 11, "name is empty"),
    ("set-name-null", H + "  - name: null\n", 3, 11, "name: expected text, got null"),
    ("set-name-long", H + f"  - name: {LONG}\n", 3, 11, "256 characters long"),
    ("set-name-reserved", H + "  - name: Student Groups\n", 3, 11, "Canvas reserves"),
    ("set-name-twice", S + "  - name: Teams\n", 4, 11,
     "group set name 'Teams' is used twice (first on line 3)"),
    ("set-sis-twice", H + "  - name: A\n    sis_id: X1\n  - name: B\n    sis_id: X1\n", 6, 13,
     "group set sis_id 'X1' is used twice"),
    ("groups-not-list", S + "    groups: {name: T1}\n", 4, 13, "expected a list, got a mapping"),
    # --- schema: groups
    ("group-missing-name", S + "    groups:\n      - members: []\n", 5, 9,
     "this group is missing the required key 'name'"),
    ("group-unknown-key", G + "        member: [s01]\n", 6, 9,
     "unknown key 'member' — did you mean 'members'?"),
    ("join-level-enum", G + "        join_level: open\n", 6, 21, "parent_context_auto_join"),
    ("max-membership-zero", G + "        max_membership: 0\n", 6, 25,
     "must be greater than 1 (a Canvas rule), got 0"),
    ("description-mapping", G + "        description: {a: 1}\n", 6, 22,
     "description: expected text, got a mapping"),
    ("group-name-twice", G + "      - name: T1\n", 6, 15,
     "group name 'T1' is used twice in this set (first on line 5)"),
    ("group-sis-twice", G + "        sis_id: G1\n  - name: Other\n    groups:\n"
     "      - name: T9\n        sis_id: G1\n", 10, 17, "group sis_id 'G1' is used twice"),
    ("members-null", G + "        members: null\n", 6, 18, "write [] for a group with no members"),
    ("join-level-null", G + "        join_level: null\n", 6, 21,
     "join_level cannot be null: Canvas always keeps one"),
    ("bare-equals", "course: 101\ngroup_sets: [=]\n", 2, 14, "group set: expected a mapping"),
    ("members-not-list", G + "        members: s01\n", 6, 18, "expected a list, got 's01'"),
    # --- members
    ("member-twice-in-group", G + "        members: [s01, s02, s01]\n", 6, 29,
     "member 's01' is listed twice in this group (first as entry 1 on line 6)"),
    ("member-two-groups", G + "        members: [s01]\n      - name: T2\n        members: [S01]\n",
     8, 19, "is in two groups of this set: 'T1' (line 6) and 'T2'; Canvas allows one group"),
    ("leader-not-member", G + "        members: [s01]\n        leader: s02\n", 7, 17,
     "the leader 's02' is not among this group's members"),
    ("entry-two-keys", G + "        members: [{login_id: s01, email: s01@example.edu}]\n", 6, 19,
     "exactly one of login_id, sis_user_id, email, canvas_id"),
    ("entry-unknown-kind", G + "        members: [{logn_id: s01}]\n", 6, 20,
     "unknown key 'logn_id' — did you mean 'login_id'?"),
    ("entry-canvas-id-text", G + "        members: [{canvas_id: abc}]\n", 6, 19,
     "canvas_id must be a Canvas user id (a number), got 'abc'"),
    ("entry-is-list", G + "        members: [[s01]]\n", 6, 19,
     "member entry: expected text, got a list"),
    ("entry-empty", G + "        members: ['']\n", 6, 19, "empty login_id"),
    # --- safety: capacity, protect, previous names, guards
    ("over-full-group", G + "        max_membership: 2\n        members: [s01, s02, s03]\n", 7, 18,
     "group 'T1' is given 3 members, but it can hold 2 (max_membership: 2); Canvas would "
     "leave 1 of them out"),
    ("over-full-by-set-limit", S + "    group_limit: 2\n    groups:\n      - name: T1\n"
     "        max_membership: null\n        members: [s01, s02, s03]\n", 8, 18,
     "can hold 2 (the set's group_limit: 2)"),
    ("protect-absent-set", S + "    protect: true\n    state: absent\n", 5, 12,
     "state: absent on a set with protect: true"),
    ("protect-absent-group", S + "    protect: true\n    groups:\n      - name: T1\n"
     "        state: absent\n", 7, 16, "groups of a protected set are never deleted"),
    ("previous-name-is-own", G + "        previous_names: [T1]\n", 6, 26,
     "'T1' is this group's own name"),
    ("previous-name-of-another", G + "      - name: T2\n        previous_names: [T1]\n", 7, 26,
     "previous name 'T1' is the name of another group in the spec (line 5)"),
    ("previous-name-twice", G + "        previous_names: [Old]\n      - name: T2\n"
     "        previous_names: [Old]\n", 8, 26,
     "'Old' is also a previous name of the group on line 5"),
    ("set-previous-name-of-another", S + "  - name: Labs\n    previous_names: [Teams]\n", 5, 22,
     "the name of another group set in the spec (line 3)"),
    ("previous-names-not-list", G + "        previous_names: Old\n", 6, 25, "expected a list"),
    ("guards-unknown-key", S + "    guards: {max_remove_pct: 50}\n", 4, 14,
     "did you mean 'max_removal_pct'?"),
    ("guards-over-100", S + "    guards: {max_removal_pct: 150}\n", 4, 31,
     "max_removal_pct: must be at most 100, got 150"),
    ("protect-not-bool", S + "    protect: sometimes\n", 4, 14,
     "protect: expected true or false, got 'sometimes'"),
]


@pytest.mark.parametrize(("text", "line", "column", "fragment"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_spec_points_at_the_node(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        load_text(text, "bad.yaml")
    found = [(p.line, p.column) for p in info.value.problems if fragment in p.message]
    assert (line, column) in found, info.value.message
    assert "Traceback" not in info.value.message
    assert all(p.file == "bad.yaml" for p in info.value.problems)


@pytest.mark.parametrize(("text", "where", "fragment"), [c[1:] for c in LOAD_CASES],
                         ids=[c[0] for c in LOAD_CASES])
def test_bad_member_source_points_at_the_node(text: str, where: str, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        load_text(text, "bad.yaml", base_dir=FIXTURES)
    assert (where, fragment) in _found(info.value, fragment), info.value.message


@pytest.mark.parametrize(("text", "where", "fragment"), [c[1:] for c in RESOLVE_CASES],
                         ids=[c[0] for c in RESOLVE_CASES])
def test_bad_member_source_found_by_resolve(text: str, where: str, fragment: str) -> None:
    spec = load_text(text, "bad.yaml", base_dir=FIXTURES)
    with pytest.raises(SpecError) as info:
        resolve(spec, sectioned(), 101, sections=SECTIONS)
    assert (where, fragment) in _found(info.value, fragment), info.value.message


def _found(error: SpecError, fragment: str) -> list[tuple[str, str]]:
    return [(p.location(), fragment) for p in error.problems if fragment in p.message]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) + len(LOAD_CASES) + len(RESOLVE_CASES) >= 60


def test_all_problems_come_at_once() -> None:
    text = (G + "        member: [s01]\n        max_membership: 1\n"
            "  - name: Teams\n    self_signup: sometimes\n")
    with pytest.raises(SpecError) as info:
        load_text(text, "bad.yaml")
    lines = [p.line for p in info.value.problems]
    assert lines == [6, 7, 8, 9]
    assert info.value.message.startswith("4 problems in the spec:")


def test_problem_names_the_field_path() -> None:
    with pytest.raises(SpecError) as info:
        load_text(G + "        max_membership: 1\n", "bad.yaml")
    assert info.value.problems[0].field == "group_sets[0].groups[0].max_membership"
