"""Resolve URL ids: numeric or `sis_<field>:<value>` (Q-URL-IDS, docs/canvas-quirks.md).

Not-found bodies differ by route: the category routes answer `{"status":"not found"}`,
everything else (group create in a category included) the generic `The specified resource
does not exist.` (Q-NOT-FOUND, Q-GROUP-CREATE-404).
"""

from __future__ import annotations

from urllib.parse import unquote

from reconciler.sandbox.entities import Course, Group, GroupCategory
from reconciler.sandbox.errors import category_not_found, not_found
from reconciler.sandbox.state import EmulatorState


def _numeric(ref: str) -> int | None:
    return int(ref) if ref.isdigit() else None


def _sis(ref: str, prefix: str) -> str | None:
    ref = unquote(ref)
    return ref[len(prefix) + 1:] if ref.startswith(prefix + ":") else None


def find_course(state: EmulatorState, ref: str) -> Course:
    sis = _sis(ref, "sis_course_id")
    for course in state.t.courses.values():
        if course.id == _numeric(ref) or (sis is not None and course.sis_course_id == sis):
            return course
    raise not_found()


def find_category(state: EmulatorState, ref: str) -> GroupCategory:
    """An active category, else the category controller's 404 `{"status":"not found"}`."""
    category = active_category(state, ref)
    if category is None:
        raise category_not_found()
    return category


def active_category(state: EmulatorState, ref: str) -> GroupCategory | None:
    """An active category by id or `sis_group_category_id:X`; deleted ones are not found."""
    sis = _sis(ref, "sis_group_category_id")
    for category in state.t.categories.values():
        if not category.active:
            continue
        if category.id == _numeric(ref) or (sis is not None and category.sis_id == sis):
            return category
    return None


def find_group(state: EmulatorState, ref: str) -> Group:
    sis = _sis(ref, "sis_group_id")
    for group in state.t.groups.values():
        if not group.active:
            continue
        if group.id == _numeric(ref) or (sis is not None and group.sis_id == sis):
            return group
    raise not_found()


def find_user_id(state: EmulatorState, ref: str) -> int | None:
    """A user id from a numeric id, `sis_user_id:X` or `sis_login_id:X` (case-insensitive)."""
    number = _numeric(ref)
    if number is not None:
        return number if number in state.t.users else None
    sis = _sis(ref, "sis_user_id")
    login = _sis(ref, "sis_login_id")
    for user in state.t.users.values():
        if sis is not None and user.sis_user_id == sis:
            return user.id
        if login is not None and (user.login_id or "").lower() == login.lower():
            return user.id
    return None
