"""Identity resolution: each unusable member is reported at its own file:line:col."""

from __future__ import annotations

import pytest

from reconciler.errors import SpecError
from reconciler.model import Enrollment, Roster, User
from reconciler.spec import load_text, member_labels, resolve

HEAD = "course: 101\ngroup_sets:\n  - name: A\n    groups:\n      - name: G\n        members: "

# (id, members list text, members_by, column of the bad entry, message fragment)
CASES: list[tuple[str, str, str, int, str]] = [
    ("unknown-with-hint", "[s02, s01x]", "login_id", 24,
     "no user in the course has login_id 's01x' (member 's01x') — did you mean 's01'?"),
    ("unknown-no-hint", "[zzzzzz]", "login_id", 19, "no user in the course has login_id 'zzzzzz'"),
    ("unknown-email", "[{email: s99@example.org}]", "login_id", 19,
     "email 's99@example.org'"),
    ("unknown-canvas-id", "[{canvas_id: 99}]", "login_id", 19, "canvas_id '99'"),
    ("ambiguous-email", "[shared@example.edu]", "email", 19, "matches 2 users in the course"),
    ("invited", "[s13]", "login_id", 19, "has only been invited to the course"),
    ("completed", "[s14]", "login_id", 19, "no active enrollment (enrollment is completed)"),
    ("inactive", "[s15]", "login_id", 19, "no active enrollment (enrollment is inactive)"),
    ("teacher", "[s16]", "login_id", 19, "is not a student here (enrolled as TeacherEnrollment)"),
    ("test-student", "[s17]", "login_id", 19, "test student"),
    ("same-user-two-ids", "[s01, {email: s01@example.edu}]", "login_id", 24,
     "is the same Canvas user as the member on line 7"),
]


@pytest.mark.parametrize(("members", "members_by", "column", "fragment"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_unresolvable_member(members: str, members_by: str, column: int, fragment: str,
                             roster: Roster) -> None:
    text = HEAD.replace("course: 101\n", f"course: 101\nmembers_by: {members_by}\n") + members
    spec = load_text(text + "\n", "r.yaml")
    with pytest.raises(SpecError) as info:
        resolve(spec, roster, 101)
    [problem] = info.value.problems
    assert (problem.line, problem.column) == (7, column), str(problem)
    assert fragment in problem.message, problem.message


def test_all_identity_problems_at_once(roster: Roster) -> None:
    spec = load_text(HEAD + "[s13, s14]\n      - name: H\n        members: [nobody]\n", "r.yaml")
    with pytest.raises(SpecError) as info:
        resolve(spec, roster, 101)
    assert [(p.line, p.column) for p in info.value.problems] == [(6, 19), (6, 24), (8, 19)]


def test_messages_never_leak_names_or_other_fields(roster: Roster) -> None:
    spec = load_text(HEAD + "[s13, s16, s17, s1O]\n", "r.yaml")
    with pytest.raises(SpecError) as info:
        resolve(spec, roster, 101)
    assert "Student 1" not in info.value.message  # display names
    assert "@" not in info.value.message
    assert "2026" not in info.value.message


def test_leader_through_another_identifier_must_be_a_member(roster: Roster) -> None:
    spec = load_text(HEAD + "[s01]\n        leader: {email: s02@example.edu}\n", "r.yaml")
    with pytest.raises(SpecError, match="leader is not among this group's members"):
        resolve(spec, roster, 101)


def test_other_roles_can_be_allowed(roster: Roster) -> None:
    spec = load_text(HEAD + "[s16]\n", "r.yaml")
    state = resolve(spec, roster, 101, roles=("StudentEnrollment", "TeacherEnrollment"))
    assert state.group_sets[0].groups[0].members == frozenset({1016})


def test_test_student_is_excluded_by_default(roster: Roster) -> None:
    spec = load_text(HEAD + "[s17]\n", "r.yaml")
    with pytest.raises(SpecError, match="add test_student to the set's members_allowed"):
        resolve(spec, roster, 101)


def test_test_student_when_the_set_asks_for_it(roster: Roster) -> None:
    spec = load_text(HEAD.replace("    groups:", "    members_allowed: [student, test_student]\n"
                                  "    groups:") + "[s17, s01]\n", "r.yaml")
    members = resolve(spec, roster, 101).group_sets[0].groups[0].members
    assert members is not None and len(members) == 2


def test_member_labels_are_the_identifiers_the_spec_used(roster: Roster) -> None:
    spec = load_text(HEAD + "[S01, {sis_user_id: '20260002'}, nobody]\n        leader: s01\n",
                     "r.yaml")
    assert member_labels(spec, roster) == {1001: "S01", 1002: "20260002"}


def test_an_email_typo_never_suggests_someone_elses_email(roster: Roster) -> None:
    """An email is personal data the spec did not write: no 'did you mean' for emails."""
    spec = load_text(HEAD + "[{email: s01@example.edx}]\n", "r.yaml")
    with pytest.raises(SpecError) as info:
        resolve(spec, roster, 101)
    assert "s01@example.edu" not in info.value.message
    assert "did you mean" not in info.value.message


def test_a_login_that_is_an_email_is_never_suggested() -> None:
    roster = Roster(users=(User(id=1, login_id="ann.lee@example.edu", enrollments=(
        Enrollment(type="StudentEnrollment"),)),))
    spec = load_text(HEAD + "[ann.lee@example.ed]\n", "r.yaml")
    with pytest.raises(SpecError) as info:
        resolve(spec, roster, 101)
    assert "ann.lee@example.edu" not in info.value.message
