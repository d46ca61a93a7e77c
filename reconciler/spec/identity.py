"""The roster as a directory of identifiers, and who may be a group member.

Messages name people only by the identifier the spec already used (plus, for a typo in a
login or SIS id, the closest one in the roster); never by name, email or another field.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection

from reconciler.model import MEMBER_KINDS, Roster, User
from reconciler.spec.members import Identity, normalize

STUDENT_ROLES: tuple[str, ...] = ("StudentEnrollment",)
TEST_STUDENT = "StudentViewEnrollment"
HINTED: frozenset[str] = frozenset({"login_id", "sis_user_id"})


class Directory:
    """The roster indexed by every identifier kind (logins and emails case-folded)."""

    def __init__(self, roster: Roster) -> None:
        self.index: dict[Identity, list[User]] = {}
        self.known: dict[str, list[str]] = {}
        for user in roster.users:
            for kind in MEMBER_KINDS:
                value = roster.identifier(user, kind)
                if value:
                    self.index.setdefault(normalize((kind, value)), []).append(user)
                    self.known.setdefault(kind, []).append(value)

    def find(self, identity: Identity) -> list[User]:
        return self.index.get(normalize(identity), [])

    def unknown(self, identity: Identity, shown: str) -> str:
        kind, value = identity
        hint = ""
        if kind in HINTED:  # never suggest an email (nor a login that is one): personal data
            known = [v for v in self.known.get(kind, []) if "@" not in v]
            close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
            hint = f" — did you mean {close[0]!r}?" if close else ""
        return f"no user in the course has {kind} {value!r} (member {shown}){hint}"


def ineligible(user: User, roles: Collection[str]) -> str | None:
    """Why this user cannot be a member, or None when they can."""
    real = [e for e in user.enrollments if e.type != TEST_STUDENT or TEST_STUDENT in roles]
    if user.enrollments and not real:
        return ("is the course's test student (Student View); add test_student to the set's "
                "members_allowed to make it a member")
    allowed = [e for e in real if e.type in roles]
    if any(e.state == "active" for e in allowed):
        return None
    states = sorted({e.state for e in allowed})
    if states == ["invited"]:
        return "has only been invited to the course and has not accepted yet"
    if states:
        return f"has no active enrollment (enrollment is {' / '.join(states)})"
    if real:
        types = ", ".join(sorted({e.type for e in real}))
        if tuple(roles) == STUDENT_ROLES:
            return f"is not a student here (enrolled as {types}); only StudentEnrollment " \
                   "users can be members (see members_allowed)"
        return f"is not in a role this set allows (enrolled as {types}); allowed: " \
               f"{', '.join(roles)}"
    return "has no enrollment in this course"
