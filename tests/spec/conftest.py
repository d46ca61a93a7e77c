"""A made-up roster: students s01..s12 plus one user for each way membership can fail."""

from __future__ import annotations

import pytest

from reconciler.model import Enrollment, Roster, User


def student(n: int, state: str = "active", kind: str = "StudentEnrollment") -> User:
    return User(id=1000 + n, name=f"Student {n:02d}", login_id=f"s{n:02d}",
                sis_user_id=f"2026{n:04d}", email=f"s{n:02d}@example.edu",
                enrollments=(Enrollment(type=kind, state=state),))


def make_roster() -> Roster:
    users = [student(n) for n in range(1, 13)]
    users += [
        student(13, state="invited"),
        student(14, state="completed"),
        student(15, state="inactive"),
        student(16, kind="TeacherEnrollment"),
        student(17, kind="StudentViewEnrollment"),
        User(id=1018, login_id="s18", sis_user_id="20260018", email="shared@example.edu",
             enrollments=(Enrollment(type="StudentEnrollment"),)),
        User(id=1019, login_id="s19", sis_user_id="20260019", email="shared@example.edu",
             enrollments=(Enrollment(type="StudentEnrollment"),)),
        User(id=1020, sis_user_id="20260020",  # login hidden from the caller
             enrollments=(Enrollment(type="StudentEnrollment"),)),
    ]
    return Roster(users=tuple(users))


@pytest.fixture
def roster() -> Roster:
    return make_roster()
