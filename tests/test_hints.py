"""Hints: renames that look like a delete and a create, sets left alone, protected keeps,
SIS ids that cannot be cleared."""

from __future__ import annotations

from reconciler.diff import diff
from reconciler.hints import notes, overlap, rename_hints
from reconciler.model import CourseState, Group, GroupSet

NONE: frozenset[str] = frozenset()


def course(*sets: GroupSet) -> CourseState:
    return CourseState(course_id=1, group_sets=sets)


def have(name: str, cid: int, members: set[int], **kw: object) -> Group:
    return Group(name=name, canvas_id=cid, members=frozenset(members), **kw)  # type: ignore[arg-type]


def want(name: str, members: set[int] | None = None, **kw: object) -> Group:
    return Group(name=name, members=None if members is None else frozenset(members),
                 **{"managed": NONE, **kw})  # type: ignore[arg-type]


LABS = course(
    GroupSet(name="Labs", canvas_id=1, groups=(have("Pair 1", 10, {1, 2, 3}),
                                               have("Pair 2", 11, {4, 5}))),
    GroupSet(name="Lab Pairs 2025", canvas_id=2, groups=(
        have("Pair A", 20, {1}), have("Pair B", 21, {2}), have("Pair C", 22, {3}))),
    GroupSet(name="Student Groups", canvas_id=3, protected=True),
)


def hints_for(desired: CourseState) -> list[str]:
    return rename_hints(LABS, desired, diff(desired, LABS))


def test_overlap() -> None:
    assert overlap(frozenset({1, 2, 3}), frozenset({1, 2, 3, 4})) == 0.75
    assert overlap(frozenset(), frozenset()) == 0.0


def test_a_deleted_group_whose_members_reappear_in_a_new_one_is_a_likely_rename() -> None:
    desired = course(GroupSet(name="Labs", groups=(want("Lab Pair 1", {1, 2, 3}),
                                                   want("Pair 2"))))
    assert hints_for(desired) == [
        "group 'Lab Pair 1' in 'Labs' looks like 'Pair 1' renamed (3 of 3 members the same), "
        "but the plan deletes 'Pair 1' and its content; to rename it instead, give "
        "'Lab Pair 1' the line  previous_names: [\"Pair 1\"]"]


def test_little_overlap_is_no_hint() -> None:
    desired = course(GroupSet(name="Labs", groups=(want("Other", {1, 4, 6, 7}),
                                                   want("Pair 2"))))
    assert hints_for(desired) == []


def test_previous_names_make_it_a_rename_and_the_hint_goes() -> None:
    desired = course(GroupSet(name="Labs", groups=(
        want("Lab Pair 1", {1, 2, 3}, previous_names=("Pair 1",)), want("Pair 2"))))
    ops = diff(desired, LABS)
    assert [op.describe() for op in ops] == ["update group 'Lab Pair 1' in 'Labs'"]
    assert rename_hints(LABS, desired, ops) == []


def test_a_new_set_with_the_groups_of_one_left_alone_is_a_likely_rename() -> None:
    desired = course(GroupSet(name="Lab Pairs 2026", groups=(
        want("Pair A", {1}), want("Pair B", {2}), want("Pair C", {3}))))
    [hint] = hints_for(desired)
    assert hint.startswith("group set 'Lab Pairs 2026' looks like 'Lab Pairs 2025' renamed "
                           "(3 of 3 group names the same), but the plan creates a new set "
                           "and leaves it as it is")
    assert hint.endswith('previous_names: ["Lab Pairs 2025"]')


def test_notes_name_the_sets_left_alone_but_not_canvas_own() -> None:
    desired = course(GroupSet(name="Labs", groups=(want("Pair 1"), want("Pair 2"))))
    assert notes(desired, LABS) == [
        "Canvas also has group sets the spec does not name, left alone: "
        "'Lab Pairs 2025' (3 groups)"]


def test_a_protected_set_notes_the_groups_it_keeps() -> None:
    desired = course(GroupSet(name="Labs", protect=True, groups=(want("Pair 1"),)),
                     GroupSet(name="Lab Pairs 2025", unmanaged_groups="keep"))
    assert notes(desired, LABS) == [
        "group set 'Labs' is protected: its groups 'Pair 2' are not in the spec and are kept"]
    assert diff(desired, LABS) == []


def test_an_sis_id_that_cannot_be_cleared_is_noted() -> None:
    current = course(GroupSet(name="S", canvas_id=1, sis_id="s-1", groups=(
        have("G", 2, set(), sis_id="g-1"),)))
    desired = course(GroupSet(name="S", managed=frozenset({"sis_id"}), unmanaged_groups="keep",
                              groups=(want("G", managed=frozenset({"sis_id"})),)))
    assert notes(desired, current) == [
        "group set 'S' keeps its SIS id 's-1': Canvas cannot clear an SIS id through the API "
        "(an SIS import can)",
        "group 'G' in 'S' keeps its SIS id 'g-1': Canvas cannot clear an SIS id through the "
        "API (an SIS import can)"]
