"""The state's derived indexes (enrollments by course and by user, groups by category): each
course sees only its own rows, state filters still apply, and a loaded state answers as the
saved one did."""

from __future__ import annotations

from pathlib import Path

from reconciler.sandbox import EmulatorState


def two_courses() -> tuple[EmulatorState, dict[str, int]]:
    """Two courses sharing one user (enrolled in both), a set in each, and rows added with
    explicit low ids after higher ones, so insertion order is not id order."""
    state = EmulatorState()
    a, b = state.add_course("A"), state.add_course("B")
    shared = state.add_user("Student 00001", login_id="s1")
    only_a = state.add_user("Student 00002", login_id="s2")
    only_b = state.add_user("Student 00003", login_id="s3")
    state.enroll(shared.id, a.id)
    state.enroll(only_a.id, a.id)
    state.enroll(shared.id, b.id, type="TaEnrollment")
    state.enroll(only_b.id, b.id, state="deleted")
    set_a, set_b = state.create_category(a.id, "Set"), state.create_category(b.id, "Set")
    state.create_group(set_a.id, "Zeta", id=900)
    state.create_group(set_a.id, "Alpha", id=800)
    state.create_group(set_a.id, "Gone", id=850, workflow_state="deleted")
    state.create_group(set_b.id, "Beta")
    return state, {"a": a.id, "b": b.id, "shared": shared.id, "only_b": only_b.id,
                   "set_a": set_a.id, "set_b": set_b.id}


def view(state: EmulatorState, ids: dict[str, int]) -> dict[str, object]:
    return {
        "a": [(e.user_id, e.type) for e in state.enrollments(ids["a"])],
        "b": [(e.user_id, e.type) for e in state.enrollments(ids["b"])],
        "shared in a": [e.type for e in state.enrollments(ids["a"], ids["shared"])],
        "shared in b": [e.type for e in state.enrollments(ids["b"], ids["shared"])],
        "only_b in a": state.enrollments(ids["a"], ids["only_b"]),
        "set a": [g.name for g in state.groups(ids["set_a"])],
        "set a, all": [g.id for g in state.groups(ids["set_a"], include_deleted=True)],
        "set b": [g.name for g in state.groups(ids["set_b"])],
    }


EXPECTED = {
    "a": [(1001, "StudentEnrollment"), (1002, "StudentEnrollment")],
    "b": [(1001, "TaEnrollment")],  # the deleted enrollment is not listed
    "shared in a": ["StudentEnrollment"],
    "shared in b": ["TaEnrollment"],
    "only_b in a": [],
    "set a": ["Alpha", "Zeta"],  # by name; the deleted group left out
    "set a, all": [800, 850, 900],  # sorted by (name, id): Alpha, Gone, Zeta
    "set b": ["Beta"],
}


def test_each_course_sees_only_its_own_enrollments_and_groups() -> None:
    state, ids = two_courses()
    assert view(state, ids) == EXPECTED


def test_a_row_whose_state_flips_in_place_needs_no_index_upkeep() -> None:
    state, ids = two_courses()
    enrollment = state.enrollments(ids["a"], ids["shared"])[0]
    enrollment.state = "deleted"
    group = state.groups(ids["set_a"])[0]
    group.workflow_state = "deleted"
    assert state.enrollments(ids["a"], ids["shared"]) == []
    assert [g.name for g in state.groups(ids["set_a"])] == ["Zeta"]


def test_the_indexes_are_rebuilt_on_load(tmp_path: Path) -> None:
    state, ids = two_courses()
    state.save(tmp_path / "s.json")
    loaded = EmulatorState.load(tmp_path / "s.json")
    assert view(loaded, ids) == EXPECTED
    # and kept up to date by rows added after the load
    late = loaded.add_user("Student 00004", login_id="s4")
    loaded.enroll(late.id, ids["b"])
    loaded.create_group(ids["set_b"], "Aardvark")
    assert [e.user_id for e in loaded.enrollments(ids["b"])] == [1001, late.id]
    assert [g.name for g in loaded.groups(ids["set_b"])] == ["Aardvark", "Beta"]
