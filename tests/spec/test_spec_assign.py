"""Generated groups (`assign:`): pinned, deterministic, sticky; and per-set roles, the
self sign-up default and leader warnings."""

from __future__ import annotations

import pytest

from reconciler.errors import SpecError
from reconciler.model import CourseState, Enrollment, Group, GroupSet, Roster, User
from reconciler.spec import assign_members, load_text, resolve, seed_marker, warnings
from reconciler.spec.schema import AssignSpec

SECTIONS = {"Lab 01": 11, "Lab 02": 12}
IDS = range(1001, 1013)


def lab(uid: int) -> str:
    return "Lab 01" if uid % 2 else "Lab 02"


def cfg(**keys: object) -> AssignSpec:
    return AssignSpec.model_validate({"name": "Team {n}", "seed": "2026-fall", **keys})


def sectioned() -> Roster:
    """s01..s12 (ids 1001..1012): odd in Lab 01, even in Lab 02; a TA and the test student."""
    users = [User(id=u, login_id=f"s{u - 1000:02d}", enrollments=(
        Enrollment(type="StudentEnrollment", section_id=SECTIONS[lab(u)]),)) for u in IDS]
    users += [User(id=2001, login_id="ta1", enrollments=(Enrollment(type="TaEnrollment"),)),
              User(id=2002, login_id="view", enrollments=(
                  Enrollment(type="StudentViewEnrollment", section_id=11),))]
    return Roster(users=tuple(users))


def plain(groups: dict[str, frozenset[int]]) -> dict[str, list[int]]:
    return {name: sorted(members) for name, members in groups.items()}


def test_random_is_pinned_for_a_fixed_seed() -> None:
    got = assign_members(cfg(strategy="random", group_size=4), range(1001, 1011))
    assert plain(got) == {"Team 1": [1004, 1005, 1009, 1010], "Team 2": [1002, 1007, 1008],
                          "Team 3": [1001, 1003, 1006]}


def test_same_input_same_groups_whatever_the_order() -> None:
    config = cfg(strategy="random", groups=3)
    assert assign_members(config, list(IDS)) == assign_members(config, list(reversed(IDS)))


def test_balanced_spreads_sections_evenly() -> None:
    got = assign_members(cfg(strategy="balanced", groups=3), IDS,
                         section_of={u: lab(u) for u in IDS})
    assert plain(got) == {"Team 1": [1004, 1007, 1008, 1009], "Team 2": [1001, 1002, 1011, 1012],
                          "Team 3": [1003, 1005, 1006, 1010]}
    for members in got.values():
        assert sorted(lab(u) for u in members) == ["Lab 01", "Lab 01", "Lab 02", "Lab 02"]


@pytest.mark.parametrize(("size", "count", "sizes"), [
    (4, None, [4, 3, 3]), (3, None, [3, 3, 2, 2]), (None, 4, [3, 3, 2, 2]), (None, 1, [10])])
def test_group_count_and_balanced_sizes(size: int | None, count: int | None,
                                        sizes: list[int]) -> None:
    keys = {"group_size": size} if size else {"groups": count}
    got = assign_members(cfg(strategy="random", **keys), range(1, 11))
    assert [len(m) for m in got.values()] == sizes


def test_sticky_keeps_placements_and_fills_the_smallest_groups() -> None:
    config = cfg(strategy="random", groups=3)
    before = assign_members(config, IDS)
    leaving = sorted(before["Team 1"])[:2]
    eligible = (set(IDS) - set(leaving)) | {1013, 1014, 1015}
    after = assign_members(config, eligible, before)
    for name, members in before.items():
        assert members - set(leaving) <= after[name], "nobody who stayed moves"
    assert not set(leaving) & set().union(*after.values())
    # Team 1 had 2 left, the others 4: two newcomers top it up, the third breaks the tie
    # by group order.
    assert [len(after[n]) for n in ("Team 1", "Team 2", "Team 3")] == [5, 4, 4]
    assert after["Team 1"] - before["Team 1"] == {1013, 1014, 1015}


def test_sticky_with_group_size_adds_a_group_for_newcomers() -> None:
    config = cfg(strategy="random", group_size=4)
    before = assign_members(config, IDS)
    after = assign_members(config, [*IDS, 1013, 1014], before)
    assert {n: after[n] for n in before} == before
    assert after["Team 4"] == {1013, 1014}


def test_by_section_makes_one_group_per_section() -> None:
    got = assign_members(AssignSpec(strategy="by_section"), IDS,
                         section_of={u: lab(u) for u in IDS})
    assert plain(got) == {"Lab 01": [1001, 1003, 1005, 1007, 1009, 1011],
                          "Lab 02": [1002, 1004, 1006, 1008, 1010, 1012]}


# --- through resolve
ASSIGN = ("course: 101\ngroup_sets:\n  - name: Teams\n    assign: {strategy: random, groups: 3, "
          "name: 'Team {n}', seed: SEED}\n")


def generated(seed: str, current: CourseState | None = None) -> dict[str, frozenset[int]]:
    spec = load_text(ASSIGN.replace("SEED", seed), "a.yaml")
    group_set = resolve(spec, sectioned(), 101, current=current).group_sets[0]
    assert all(g.description == seed_marker(seed) for g in group_set.groups)
    assert group_set.unmanaged_groups == "delete"
    return {g.name: g.members or frozenset() for g in group_set.groups}


def canvas_now(groups: dict[str, frozenset[int]], seed: str) -> CourseState:
    return CourseState(course_id=101, group_sets=(GroupSet(name="Teams", groups=tuple(
        Group(name=n, members=m, description=seed_marker(seed)) for n, m in groups.items())),))


def test_resolve_generates_students_only_never_the_test_student() -> None:
    fresh = generated("s1")
    assert set().union(*fresh.values()) == set(IDS)


def test_resolve_is_sticky_while_the_seed_is_unchanged() -> None:
    moved = {"Team 1": frozenset({1001, 1002, 1003, 1004}),
             "Team 2": frozenset({1005, 1006, 1007, 1008}),
             "Team 3": frozenset({1009, 1010, 1011, 1012})}
    assert generated("s1", canvas_now(moved, "s1")) == moved


def test_a_new_seed_reshuffles() -> None:
    moved = {"Team 1": frozenset({1001, 1002, 1003, 1004}),
             "Team 2": frozenset({1005, 1006, 1007, 1008}),
             "Team 3": frozenset({1009, 1010, 1011, 1012})}
    assert generated("s2", canvas_now(moved, "s1")) == generated("s2")
    assert generated("s2") != moved


def test_section_filter_and_by_section_through_resolve() -> None:
    text = ("course: 101\ngroup_sets:\n  - name: Labs\n    assign: {strategy: by_section, "
            "name: 'Lab group {section}', from: {section: Lab 02}}\n")
    group_set = resolve(load_text(text, "a.yaml"), sectioned(), 101,
                        sections=SECTIONS).group_sets[0]
    assert [(g.name, sorted(g.members or ())) for g in group_set.groups] == [
        ("Lab group Lab 02", [1002, 1004, 1006, 1008, 1010, 1012])]


def test_section_filter_needs_known_sections() -> None:
    text = ("course: 101\ngroup_sets:\n  - name: T\n    assign: {groups: 2, seed: x, "
            "from: {section: Lab 01}}\n")
    with pytest.raises(SpecError) as info:
        resolve(load_text(text, "a.yaml"), sectioned(), 101)
    assert "sections were not provided" in info.value.problems[0].message


def test_members_allowed_admits_tas_for_that_set_only() -> None:
    text = ("course: 101\ngroup_sets:\n  - name: Staff\n    members_allowed: [student, ta]\n"
            "    groups:\n      - name: G\n        members: [s01, ta1]\n"
            "  - name: Other\n    groups:\n      - name: H\n        members: [ta1, view]\n")
    with pytest.raises(SpecError) as info:
        resolve(load_text(text, "a.yaml"), sectioned(), 101)
    assert [(p.line, p.column) for p in info.value.problems] == [(11, 19), (11, 24)]
    assert "is not a student here (enrolled as TaEnrollment)" in info.value.problems[0].message
    assert "test student" in info.value.problems[1].message


def test_assign_from_tas() -> None:
    text = ("course: 101\ngroup_sets:\n  - name: TAs\n    members_allowed: [ta]\n"
            "    assign: {groups: 1, name: Staff, seed: x, from: {enrollment_type: ta}}\n")
    group_set = resolve(load_text(text, "a.yaml"), sectioned(), 101).group_sets[0]
    assert group_set.groups[0].members == {2001}


@pytest.mark.parametrize(("keys", "mode"), [
    ("    self_signup: enabled\n", "seed"), ("    self_signup: restricted\n", "seed"),
    ("    self_signup: null\n", "exact"), ("", "exact"),
    ("    self_signup: enabled\n    members_mode: exact\n", "exact"),
])
def test_self_signup_sets_default_to_seed_mode(keys: str, mode: str) -> None:
    text = f"course: 101\ngroup_sets:\n  - name: S\n{keys}    groups: []\n"
    state = resolve(load_text(text, "a.yaml"), sectioned(), 101)
    assert state.group_sets[0].members_mode == mode


def test_auto_leader_with_a_declared_leader_warns() -> None:
    text = ("course: 101\ngroup_sets:\n  - name: Project Teams\n    auto_leader: first\n"
            "    groups:\n      - name: Team 1\n        leader: s01\n        members: [s01]\n"
            "      - name: Team 2\n        members: [s02]\n"
            "  - name: Quiet\n    groups:\n      - name: Q\n        leader: s03\n")
    assert warnings(load_text(text, "a.yaml")) == [
        "auto_leader: first on 'Project Teams' may replace the declared leader of 'Team 1' "
        "when members change"]


def test_only_generated_groups_keep_their_members() -> None:
    """A hand-made group that happens to carry a generated name is not a placement."""
    marked = canvas_now({"Team 1": frozenset({1001}), "Team 2": frozenset({1002})}, "s1")
    hand_made = Group(name="Team 3", members=frozenset(range(1003, 1013)))
    [teams] = marked.group_sets
    now = marked.model_copy(update={"group_sets": (
        teams.model_copy(update={"groups": (*teams.groups, hand_made)}),)})
    placed = generated("s1", now)
    assert [len(placed[f"Team {n}"]) for n in (1, 2, 3)] == [4, 4, 4]
    assert {1001, 1002} <= placed["Team 1"] | placed["Team 2"]
