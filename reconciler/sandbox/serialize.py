"""Canvas JSON shapes (Q-OBJECT-JSON, Q-LEADER-OBJECT, Q-ENROLLMENT-JSON, Q-INVITED-HIDDEN,
Q-PROGRESS; docs/canvas-quirks.md).

The caller is modelled as a teacher who holds read_sis/manage_sis, view_user_logins and
read_email_addresses, so SIS ids, login ids and emails are shown where Canvas would show
them to such a caller.
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.entities import (
    ROLE_IDS,
    Course,
    Enrollment,
    Group,
    GroupCategory,
    Membership,
    Progress,
    Section,
    User,
)
from reconciler.sandbox.rules import unassigned_students
from reconciler.sandbox.state import EmulatorState

JSON = dict[str, Any]
USERS_CAP = 1000  # include[]=users on groups is capped (Q-INLINE-CAP, docs/canvas-quirks.md)
HIDDEN_IDENTITY_STATES = frozenset({"invited", "creation_pending", "rejected"})


def course_json(course: Course) -> JSON:
    return {
        "id": course.id, "name": course.name, "course_code": course.course_code,
        "sis_course_id": course.sis_course_id, "workflow_state": course.workflow_state,
        "account_id": 1, "root_account_id": 1, "enrollment_term_id": 1,
        "created_at": course.created_at, "start_at": None, "end_at": None,
        "default_view": "modules", "is_public": False, "uuid": f"sandbox-course-{course.id}",
    }


def section_json(section: Section, course: Course) -> JSON:
    """Canvas's Section object (sections API); integration ids and dates are not modelled."""
    return {
        "id": section.id, "name": section.name, "course_id": course.id,
        "sis_section_id": section.sis_id, "integration_id": None,
        "sis_course_id": course.sis_course_id,
        "start_at": None, "end_at": None, "restrict_enrollments_to_section_dates": None,
        "nonxlist_course_id": None,
    }


def user_brief(user: User) -> JSON:
    """The base user JSON (as inlined in groups with include[]=users)."""
    return {"id": user.id, "name": user.name, "created_at": user.created_at,
            "sortable_name": user.sortable_name, "short_name": user.short_name}


def roster_user_json(state: EmulatorState, user: User, course_id: int,
                     enrollments: list[JSON] | None, *, with_email: bool = True) -> JSON:
    """User JSON on roster endpoints: SIS id always; login_id/email hidden for invited-only.
    `enrollments` are already rendered (`enrollment_json`)."""
    body = user_brief(user)
    body["sis_user_id"] = user.sis_user_id
    body["integration_id"] = None
    if not _identity_hidden(state, user.id, course_id):
        body["login_id"] = user.login_id
        if with_email:
            body["email"] = user.email
    if enrollments is not None:
        body["enrollments"] = enrollments
    return body


def _identity_hidden(state: EmulatorState, user_id: int, course_id: int) -> bool:
    states = {e.state for e in state.enrollments(course_id, user_id)}
    return bool(states) and states <= HIDDEN_IDENTITY_STATES


def enrollment_json(state: EmulatorState, enrollment: Enrollment, base_url: str) -> JSON:
    """Canvas's Enrollment (lib/api/v1/enrollment.rb), with the keys a recorded Canvas sends:
    start/end dates and last_attended_at (null here), the SIS block (the caller may read SIS
    data), html_url. Students' `grades` and the activity fields are not modelled."""
    body: JSON = {
        "id": enrollment.id, "root_account_id": 1, "user_id": enrollment.user_id,
        "course_id": enrollment.course_id, "course_section_id": enrollment.section_id,
        "associated_user_id": None,
        "limit_privileges_to_course_section": enrollment.limit_privileges_to_course_section,
        "created_at": enrollment.created_at, "updated_at": enrollment.created_at,
        "start_at": None, "end_at": None, "type": enrollment.type,
        "enrollment_state": enrollment.state, "role": enrollment.type,
        "role_id": ROLE_IDS.get(enrollment.type, 0), "last_attended_at": None,
    }
    body.update(_enrollment_sis(state, enrollment))
    body["html_url"] = f"{base_url}/courses/{enrollment.course_id}/users/{enrollment.user_id}"
    return body


def _enrollment_sis(state: EmulatorState, enrollment: Enrollment) -> JSON:
    """The SIS ids of the enrollment's account (none modelled), course, section and user."""
    section = state.t.sections.get(enrollment.section_id or 0)
    return {
        "sis_account_id": None,
        "sis_course_id": state.course(enrollment.course_id).sis_course_id,
        "course_integration_id": None,
        "sis_section_id": section.sis_id if section is not None else None,
        "section_integration_id": None,
        "sis_user_id": state.user(enrollment.user_id).sis_user_id,
    }


def category_json(state: EmulatorState, category: GroupCategory,
                  includes: frozenset[str] = frozenset()) -> JSON:
    body: JSON = {
        "id": category.id, "name": category.name, "role": category.role,
        "self_signup": category.self_signup, "group_limit": category.group_limit,
        "auto_leader": category.auto_leader, "created_at": category.created_at,
        "context_type": "Course", "course_id": category.course_id,
        "protected": category.protected,
        "allows_multiple_memberships": category.allows_multiple_memberships,
        "is_member": False, "non_collaborative": False,
        "sis_group_category_id": category.sis_id, "sis_import_id": None,
    }
    pending = current_progress(state, category) if "progress_url" in includes else None
    if pending is not None:  # asked for, and an import into the set waits or runs
        body["progress"] = progress_json(pending, "")
    if "groups_count" in includes:
        body["groups_count"] = len(state.groups(category.id))
    if "unassigned_users_count" in includes:
        body["unassigned_users_count"] = len(unassigned_students(state, category))
    if "groups" in includes:
        body["groups"] = [group_json(state, g, "") for g in state.groups(category.id)]
    return body


def current_progress(state: EmulatorState, category: GroupCategory) -> Progress | None:
    """GCAT `current_progress`: a queued or running Progress of the category, any tag."""
    return next((p for p in sorted(state.t.progress.values(), key=lambda p: p.id)
                 if p.context_type == "GroupCategory" and p.context_id == category.id
                 and p.workflow_state in ("queued", "running")), None)


def group_json(state: EmulatorState, group: Group, base_url: str,
               includes: frozenset[str] = frozenset(),
               visible: set[int | None] | None = None) -> JSON:
    """Group JSON. `visible`: a section-limited caller's sections; such a caller is shown
    only the students of those sections, in `users` and in `members_count`."""
    category = state.t.categories[group.category_id]
    accepted = [m for m in state.memberships(group.id) if m.workflow_state == "accepted"]
    users = group_users(state, group)
    if visible is not None:
        users = [u for u in users if _student_in(state, u.id, group.course_id, visible)]
    body: JSON = {
        "id": group.id, "name": group.name, "description": group.description,
        "is_public": group.is_public, "join_level": group.join_level,
        "group_category_id": group.category_id, "max_membership": group.max_membership,
        "created_at": group.created_at,
        "members_count": len(accepted) if visible is None else len(users),
        "storage_quota_mb": 50, "context_type": "Course", "course_id": group.course_id,
        "avatar_url": None, "role": category.role,
        "leader": _leader(state, group, base_url), "has_submission": group.has_submission,
        "concluded": False, "non_collaborative": False,
        "sis_group_id": group.sis_id, "sis_import_id": None,
    }
    if "users" in includes:
        body["users"] = [user_brief(u) for u in users[:USERS_CAP]]
    if "group_category" in includes:
        body["group_category"] = category_json(state, category)
    if "permissions" in includes:
        body["permissions"] = {"create_discussion_topic": True, "join": False,
                               "create_announcement": True}
    return body


def _student_in(state: EmulatorState, user_id: int, course_id: int,
                sections: set[int | None]) -> bool:
    return any(e.type == "StudentEnrollment" and e.state in ("active", "invited")
               and e.section_id in sections for e in state.enrollments(course_id, user_id))


def group_users(state: EmulatorState, group: Group) -> list[User]:
    """Users of every non-deleted membership (admin view), by sortable name then id."""
    users = [state.user(m.user_id) for m in state.memberships(group.id)]
    return sorted(users, key=lambda u: (u.sortable_name, u.id))


def _leader(state: EmulatorState, group: Group, base_url: str) -> JSON | None:
    if group.leader_id is None:
        return None
    user = state.user(group.leader_id)
    return {"id": user.id, "anonymous_id": _base36(user.id), "display_name": user.short_name,
            "avatar_image_url": None, "pronouns": None,
            "html_url": f"{base_url}/courses/{group.course_id}/users/{user.id}"}


def membership_json(state: EmulatorState, membership: Membership,
                    just_created: bool | None = None) -> JSON:
    group = state.t.groups[membership.group_id]
    body: JSON = {
        "id": membership.id, "group_id": membership.group_id, "user_id": membership.user_id,
        "workflow_state": membership.workflow_state, "moderator": membership.moderator,
        "created_at": membership.created_at, "sis_group_id": group.sis_id,
        "sis_import_id": None,
    }
    if just_created is not None:
        body["just_created"] = just_created
    return body


def progress_json(progress: Progress, base_url: str) -> JSON:
    """lib/api/v1/progress.rb: every key always; `results` never (the import sets none)."""
    return {
        "id": progress.id, "context_id": progress.context_id,
        "context_type": progress.context_type, "user_id": progress.user_id,
        "tag": progress.tag, "completion": progress.completion,
        "workflow_state": progress.workflow_state, "created_at": progress.created_at,
        "updated_at": progress.updated_at, "message": progress.message,
        "url": f"{base_url}/api/v1/progress/{progress.id}",
    }


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
        if number == 0:
            return out
