"""GET /group_categories/:id/export: the category as a CSV ready to import (Q-EXPORT-CSV,
Q-EXPORT-FORMAT; docs/canvas-quirks.md).

200 `text/csv` (no charset), sent as a file: `Content-Disposition: attachment;
filename="<name>.csv"; filename*=UTF-8''<name>.csv` and `Content-Transfer-Encoding: binary`.
Header `name,canvas_user_id,user_id,login_id,sections,group_name[,canvas_group_id,group_id]`
(the caller may read SIS data, so `user_id` and `group_id` are in; the group id columns
only when an active group of the category has a non-deleted membership). One row per
`participating_students` user (an active StudentEnrollment) by user id: the sortable name,
ids, login, the names of the sections of those enrollments joined English-style ("A, B,
and C"), and the group of the user's last-created non-deleted membership in an active group
(blank when none). Invited students are not exported, though the import accepts them.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from reconciler.sandbox.csv_dialect import write_rows
from reconciler.sandbox.entities import Group, GroupCategory
from reconciler.sandbox.lookup import find_category
from reconciler.sandbox.router import Ctx, Response, RouteSpec
from reconciler.sandbox.state import EmulatorState

Cell = str | int | None
HEADER: list[Cell] = ["name", "canvas_user_id", "user_id", "login_id", "sections",
                      "group_name"]
GROUP_ID_HEADER: list[Cell] = ["canvas_group_id", "group_id"]
# Rails' ContentDisposition: characters kept as they are in each form of the filename.
TRADITIONAL_SAFE = " !#$+.^_`|~-"
RFC5987_SAFE = "!#$&+.^_`|~-"


def export_category(ctx: Ctx) -> Response:
    category = find_category(ctx.state, ctx.args["category_id"])
    headers = {"Content-Disposition": content_disposition(f"{category.name}.csv"),
               "Content-Transfer-Encoding": "binary"}
    return Response(write_rows(export_table(ctx.state, category)), headers=headers,
                    content_type="text/csv")


def export_table(state: EmulatorState, category: GroupCategory) -> list[list[Cell]]:
    groups = _group_by_user(state, category)
    table = [HEADER + GROUP_ID_HEADER if groups else list(HEADER)]
    for user_id, section_ids in _participating_students(state, category.course_id).items():
        user = state.user(user_id)
        sections = [state.t.sections[s].name for s in section_ids if s in state.t.sections]
        row: list[Cell] = [user.sortable_name, user.id, user.sis_user_id, user.login_id,
                           to_sentence(sections)]
        group = groups.get(user_id)
        row.append(group.name if group else None)
        if groups:
            row += [group.id, group.sis_id] if group else [None, None]
        table.append(row)
    return table


def _participating_students(state: EmulatorState, course_id: int) -> dict[int, list[int]]:
    """User id → section ids of their active StudentEnrollments, by user id."""
    found: dict[int, list[int]] = {}
    for enrollment in state.enrollments(course_id):
        if enrollment.type == "StudentEnrollment" and enrollment.state == "active":
            sections = found.setdefault(enrollment.user_id, [])
            if enrollment.section_id is not None:
                sections.append(enrollment.section_id)
    return dict(sorted(found.items()))


def _group_by_user(state: EmulatorState, category: GroupCategory) -> dict[int, Group]:
    """`GroupMembership.active` in active groups, `index_by(&:user_id)`: the last one wins."""
    rows = sorted((m.id, m.user_id, g) for g in state.groups(category.id)
                  for m in state.memberships(g.id))
    return {user_id: group for _, user_id, group in rows}


def to_sentence(words: list[str]) -> str:
    """ActiveSupport's `Array#to_sentence` in English."""
    if len(words) < 3:
        return " and ".join(words)
    return ", ".join(words[:-1]) + ", and " + words[-1]


def content_disposition(filename: str) -> str:
    """ActionDispatch::Http::ContentDisposition for an attachment."""
    ascii_name = "".join(c if c.isascii() else "?" for c in _transliterate(filename))
    traditional = quote(ascii_name, safe=TRADITIONAL_SAFE)
    return (f'attachment; filename="{traditional}"; '
            f"filename*=UTF-8''{quote(filename, safe=RFC5987_SAFE)}")


def _transliterate(text: str) -> str:
    """Roughly I18n.transliterate: accents dropped (é → e); other non-ASCII stays for "?"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


ROUTES: list[RouteSpec] = [
    ("GET", "/group_categories/:category_id/export", export_category, None),
]
