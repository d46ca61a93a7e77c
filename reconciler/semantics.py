"""Canvas's semantics: what Canvas does with what we send, as pure functions the diff calls.

Like an octoDNS provider adjusting the desired and the existing zone before the diff, these
turn both sides into what Canvas will really hold, so that the diff compares like with like
and plans only changes that stick. Each rule is a row of docs/canvas-quirks.md.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol

from reconciler.model import CourseState, Group, GroupSet, Roster, user_label

# --- stored values ----------------------------------------------------------------------

def comparable(field: str, value: Any) -> Any:
    """A value as Canvas keeps it. A form body cannot send null: a cleared description
    arrives as "" and is stored so (Q-DESCRIPTION), so "" and null are one description."""
    return None if field == "description" and value == "" else value


# --- set names (Q-SET-NAMES) ---------------------------------------------------------------

def set_name_clash(pairs: Sequence[tuple[GroupSet, GroupSet | None]],
                   current: CourseState) -> str | None:
    """Why the plan cannot give a set its name, or None. Category names are unique among a
    course's active categories, so a set created or renamed to a name another set holds
    fails, unless that set is renamed away first: the plan runs set renames before set
    creates (a chain of renames, each freeing the next one's name, is refused)."""
    owner = {id(have): want for want, have in pairs if have is not None}
    writing = [(want, have) for want, have in pairs
               if not want.absent and want.members_mode != "observe"]
    for want, have in writing:
        if have is not None and have.name == want.name:
            continue
        holder = next((s for s in current.group_sets
                       if s.name == want.name and s is not have), None)
        if holder is None:
            continue
        new = owner.get(id(holder))
        if new is None or new.absent or new.members_mode == "observe" \
                or new.name == holder.name:
            return (f"group set name {want.name!r} is held by group set {holder.name!r} "
                    f"(id {holder.canvas_id}), which the spec does not rename; Canvas "
                    "allows one active group set of a name per course")
        if have is not None:
            return (f"renaming group set {have.name!r} to {want.name!r} needs the rename of "
                    f"{holder.name!r} to {new.name!r} first; apply one rename, then the other")
    return None


# --- group limits (Q-LIMIT-COPY, Q-LIMIT-FILL) --------------------------------------------

def set_limit(want_limit: int | None, have_limit: int | None, managed: bool) -> int | None:
    """The set's group_limit once the plan's set update has run (sets go before groups)."""
    return want_limit if managed else have_limit


def group_after_set_update(have: Group, before: int | None, after: int | None) -> Group:
    """A changed group_limit is copied into every group's max_membership (Q-LIMIT-COPY):
    compare the spec with what the group will hold when its turn comes."""
    if before == after:
        return have
    return have.model_copy(update={"max_membership": after})


def capacity(max_membership: int | None, set_limit: int | None) -> int | None:
    """How many members a group can take: a group is full at its max_membership, or, with
    none, at its set's group_limit (Q-MEMBERS-REPLACE drops members past it)."""
    return max_membership if max_membership is not None else set_limit


def group_as_stored(want: Group, have: Group, limit: int | None) -> Group:
    """Canvas fills an empty max_membership from the set's group_limit whenever a group is
    saved (Q-LIMIT-FILL), so a spec's `null` there means "the set's limit" and is already
    met when the group holds exactly that."""
    if ("max_membership" in want.managed and want.max_membership is None
            and limit is not None and have.max_membership == limit):
        return want.model_copy(update={"max_membership": have.max_membership})
    return want


# --- SIS ids (Q-SIS-CLEAR) -----------------------------------------------------------------

def writable(field: str, old: Any, new: Any) -> bool:
    """Whether the API can make this change. An SIS id cannot be cleared: Canvas stores a
    blank one as "" (and a second "" in the account is taken), so clearing is for an SIS
    import, never attempted here."""
    return not (field == "sis_id" and old is not None and new is None)


# --- one group per set (Q-ONE-GROUP) ------------------------------------------------------

def frees_room(add: Collection[int], remove: Collection[int]) -> bool:
    """A membership write that removes at least as many as it adds runs before the writes
    that grow groups: a full group gets room before anyone moves in, and a user moved out
    of one group is free before another group's write adds them."""
    return bool(remove) and len(remove) >= len(add)


def additive_target(now: frozenset[int], wanted: frozenset[int],
                    placed_elsewhere: frozenset[int]) -> frozenset[int]:
    """The members[] to send for an add-only write. A user the spec places in another group
    of the set is left out: that group's write moves them (Canvas keeps one group per set),
    so the two writes give the same result in either order."""
    return (now | wanted) - (placed_elsewhere - wanted)


class MemberWrite(Protocol):
    """A write that adds users to a group (ops.SetMembers)."""

    @property
    def set_name(self) -> str: ...

    @property
    def group_name(self) -> str: ...

    @property
    def add(self) -> frozenset[int]: ...


Move = tuple[str, str, int]  # (set name, group left, user id)


def implicit_moves(current: CourseState, writes: Iterable[MemberWrite],
                   written: Collection[tuple[str, str]]) -> list[Move]:
    """Users a membership write pulls out of a group that no operation writes or deletes
    (`written`: the keys of those that do): Canvas removes an added user from the set's
    other groups, and nothing in the plan shows it."""
    sets = {s.name: s for s in current.group_sets}
    moves: list[Move] = []
    for write in writes:
        for group in sets[write.set_name].groups if write.set_name in sets else ():
            if (write.set_name, group.name) not in written:
                moves.extend((write.set_name, group.name, uid)
                             for uid in sorted(write.add & (group.members or frozenset())))
    return sorted(moves)


def move_warnings(moves: Iterable[Move], labels: Mapping[int, str]) -> list[str]:
    return [f"{user_label(uid, labels)} will leave {group!r} in {set_name!r} "
            "(Canvas allows one group per set, and the spec does not manage that group's "
            "members)" for set_name, group, uid in moves]


# --- the group-set CSV import (Q-CSV-IMPORT) ------------------------------------------------

IMPORT_STATES = frozenset({"active", "invited", "creation_pending"})


def importable(roster: Roster) -> frozenset[int]:
    """The users a CSV import accepts: the course's students (StudentEnrollment, active,
    invited or pending); never the test student, staff, or a concluded student. Any other
    row is skipped in silence."""
    return frozenset(u.id for u in roster.users if any(
        e.type == "StudentEnrollment" and e.state in IMPORT_STATES for e in u.enrollments))
