"""Group and membership domain rules (rows of docs/canvas-quirks.md).

- One group per category (Q-ONE-GROUP): a new membership soft-deletes the user's other active
  memberships in the category, except in student_organized/communities categories.
  Re-adding always creates a new membership row (new id).
- Limits (Q-GROUP-FULL, Q-LIMIT-FILL, Q-LIMIT-COPY): `full?` = accepted members >=
  max_membership, else >= the category limit; student_organized groups are never full.
  Restricted self-signup (Q-RESTRICTED-SECTIONS): a new member must share an active section
  with the existing members.
- `PUT members[]` replacement (Q-MEMBERS-REPLACE), leaders and auto_leader (Q-LEADER-REMOVED,
  Q-AUTO-LEADER), soft deletes (Q-SOFT-DELETE).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reconciler.sandbox.entities import Group, GroupCategory, Membership
from reconciler.sandbox.errors import GROUP_FULL
from reconciler.sandbox.state import EmulatorState

CURRENT_STATES = frozenset({"active", "invited"})


@dataclass
class Changes:
    """What a write did to memberships, for the write log."""

    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    moved_out: list[list[int]] = field(default_factory=list)


class AddRejected(Exception):
    """A new membership failed validation (attribute, message)."""

    def __init__(self, attribute: str, message: str) -> None:
        super().__init__(message)
        self.attribute = attribute
        self.message = message


def course_user_ids(state: EmulatorState, course_id: int) -> set[int]:
    """`course.users`: any non-deleted enrollment of any type or state (Q-MEMBER-ELIGIBLE)."""
    return {e.user_id for e in state.enrollments(course_id)}


def can_join(state: EmulatorState, course_id: int, user_id: int) -> bool:
    """`Group#can_join?`: a non-deleted enrollment that is not the test student's."""
    return any(e.type != "StudentViewEnrollment" for e in state.enrollments(course_id, user_id))


def active_sections(state: EmulatorState, course_id: int, user_id: int) -> set[int | None]:
    return {e.section_id for e in state.enrollments(course_id, user_id)
            if e.state in CURRENT_STATES}


def is_full(state: EmulatorState, group: Group) -> bool:
    category = state.t.categories[group.category_id]
    if category.role == "student_organized":
        return False
    limit = group.max_membership or category.group_limit
    accepted = sum(1 for m in state.memberships(group.id) if m.workflow_state == "accepted")
    return limit is not None and accepted >= limit


def check_new_member(state: EmulatorState, group: Group, user_id: int) -> None:
    """Validations run when a membership row is created; raises AddRejected."""
    if is_full(state, group):
        raise AddRejected("group_id", GROUP_FULL)
    category = state.t.categories[group.category_id]
    members = state.member_ids(group.id)
    if category.self_signup == "restricted" and members:
        mine = active_sections(state, group.course_id, user_id)
        theirs = set.intersection(*(active_sections(state, group.course_id, m) for m in members))
        if not mine & theirs:
            name = state.user(user_id).name
            raise AddRejected("user_id", f"{name} does not share a section with the other "
                                         f"members of {group.name}.")


def add_member(state: EmulatorState, group: Group, user_id: int, changes: Changes
               ) -> tuple[Membership, bool]:
    """Idempotent add (`Group#add_user`): existing membership or a new accepted one."""
    existing = next((m for m in state.memberships(group.id) if m.user_id == user_id), None)
    if existing is not None:
        return existing, False
    check_new_member(state, group, user_id)
    membership = state.add_membership(group.id, user_id)
    changes.added.append(user_id)
    _leave_peer_groups(state, group, user_id, changes)
    apply_auto_leader(state, group)
    return membership, True


def _leave_peer_groups(state: EmulatorState, group: Group, user_id: int, changes: Changes) -> None:
    """`ensure_mutually_exclusive_membership` (Q-ONE-GROUP)."""
    category = state.t.categories[group.category_id]
    if category.allows_multiple_memberships:
        return
    # The user's own memberships (indexed), not every peer group's: the same rows as a walk
    # over the category's active groups by (name, id), in the same order.
    moves: list[tuple[Group, Membership]] = []
    for membership in state.user_memberships(user_id):
        peer = state.t.groups[membership.group_id]
        if peer.id != group.id and peer.category_id == category.id and peer.active:
            moves.append((peer, membership))
    for peer, membership in sorted(moves, key=lambda pm: (pm[0].name, pm[0].id, pm[1].id)):
        remove_membership(state, membership)
        changes.moved_out.append([peer.id, user_id])


def remove_membership(state: EmulatorState, membership: Membership) -> None:
    """Soft delete; a removed leader stops leading and auto_leader may pick another."""
    membership.workflow_state = "deleted"
    group = state.t.groups[membership.group_id]
    if group.leader_id == membership.user_id:
        group.leader_id = None
        apply_auto_leader(state, group)


def set_members(state: EmulatorState, group: Group, raw_ids: list[int], changes: Changes) -> None:
    """`Group#set_users`: full replacement with silent drops (Q-MEMBERS-REPLACE)."""
    allowed = course_user_ids(state, group.course_id)
    wanted = [uid for uid in dict.fromkeys(raw_ids) if uid in allowed]
    keep = set(wanted)
    for membership in state.memberships(group.id):
        if membership.user_id not in keep:
            remove_membership(state, membership)
            changes.removed.append(membership.user_id)
    for user_id in wanted:
        try:
            add_member(state, group, user_id, changes)
        except AddRejected:
            continue  # the controller never inspects failed invites


def apply_auto_leader(state: EmulatorState, group: Group) -> None:
    category = state.t.categories[group.category_id]
    if group.leader_id is not None or category.auto_leader is None:
        return
    members = sorted(state.memberships(group.id), key=lambda m: m.id)
    if not members:
        return
    if category.auto_leader == "first":
        group.leader_id = members[0].user_id
    else:  # random, seeded so runs repeat
        group.leader_id = random.Random(group.id * 7919 + len(members)).choice(members).user_id


def inherit_group_limit(state: EmulatorState, group: Group) -> None:
    """G `update_max_membership_from_group_category` (Q-LIMIT-FILL), a before_save hook:
    on every group save (create, PUT, delete), a group with no max_membership takes its
    category's group_limit."""
    if group.max_membership is None:
        group.max_membership = state.t.categories[group.category_id].group_limit


def delete_group(state: EmulatorState, group: Group) -> None:
    group.workflow_state = "deleted"
    group.deleted_at = state.now()
    inherit_group_limit(state, group)


def delete_category(state: EmulatorState, category: GroupCategory) -> None:
    category.deleted_at = state.now()
    for group in state.groups(category.id):
        delete_group(state, group)


def update_groups_max_membership(state: EmulatorState, category: GroupCategory) -> None:
    """GCAT `update_groups_max_membership`: the category limit flows into every group."""
    for group in state.groups(category.id):
        group.max_membership = category.group_limit


def unassigned_students(state: EmulatorState, category: GroupCategory) -> list[int]:
    """Students (active/invited) with no non-deleted membership in the category's groups."""
    assigned = {uid for g in state.groups(category.id) for uid in state.member_ids(g.id)}
    students = {e.user_id for e in state.enrollments(category.course_id)
                if e.type == "StudentEnrollment" and e.state in CURRENT_STATES}
    return sorted(students - assigned)


def heterogeneous_group(state: EmulatorState, category: GroupCategory) -> bool:
    """A group whose members share no common active section (blocks `restricted`)."""
    for group in state.groups(category.id):
        members = state.member_ids(group.id)
        if len(members) > 1 and not set.intersection(
                *(active_sections(state, group.course_id, m) for m in members)):
            return True
    return False
