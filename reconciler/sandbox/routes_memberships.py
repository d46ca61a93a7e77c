"""Group memberships and group users (Q-MEMBERSHIP-POST, Q-MEMBERSHIP-LIST,
Q-MEMBERSHIP-DELETE, Q-ONE-GROUP, Q-MEMBER-ELIGIBLE; docs/canvas-quirks.md).

- POST /groups/:id/memberships `user_id` (numeric or `sis_user_id:X`): idempotent, answers
  the existing row with `just_created: false`; new rows are accepted and move the user out
  of the category's other groups; a full group → 400 validation body; a user without a
  usable enrollment → unauthorized.
- GET memberships (`filter_states[]`, default accepted+invited+requested, ordered by id);
  GET/PUT/DELETE by membership id or by user id; DELETE answers `{"ok": true}`.
"""

from __future__ import annotations

from reconciler.sandbox.entities import Membership
from reconciler.sandbox.errors import not_found, unauthorized, validation_error
from reconciler.sandbox.lookup import find_group, find_user_id
from reconciler.sandbox.pagination import paginate
from reconciler.sandbox.router import Ctx, Response, RouteSpec
from reconciler.sandbox.routes_courses import filter_users
from reconciler.sandbox.rules import AddRejected, add_member, can_join, remove_membership
from reconciler.sandbox.serialize import group_users, membership_json, roster_user_json

DEFAULT_FILTER_STATES = ("accepted", "invited", "requested")


def list_memberships(ctx: Ctx) -> Response:
    group = find_group(ctx.state, ctx.args["group_id"])
    states = set(ctx.request.params.get_list("filter_states") or DEFAULT_FILTER_STATES)
    rows = [m for m in ctx.state.memberships(group.id) if m.workflow_state in states]
    page, link = paginate(ctx.request, rows)
    return Response([membership_json(ctx.state, m) for m in page], headers={"Link": link})


def list_group_users(ctx: Ctx) -> Response:
    group = find_group(ctx.state, ctx.args["group_id"])
    users = filter_users(ctx, group_users(ctx.state, group))
    page, link = paginate(ctx.request, users)
    body = [roster_user_json(ctx.state, u, group.course_id, None, with_email=False)
            for u in page]
    return Response(body, headers={"Link": link})


def _membership(ctx: Ctx) -> Membership:
    group = find_group(ctx.state, ctx.args["group_id"])
    ctx.ids.update(category_id=group.category_id, group_id=group.id)
    rows = ctx.state.memberships(group.id)
    if "membership_id" in ctx.args:
        ref = ctx.args["membership_id"]
        found = next((m for m in rows if str(m.id) == ref), None)
    else:
        user_id = find_user_id(ctx.state, ctx.args["user_id"])
        found = next((m for m in rows if m.user_id == user_id), None)
    if found is None:
        raise not_found()
    ctx.ids["membership_id"] = found.id
    return found


def show_membership(ctx: Ctx) -> Response:
    return Response(membership_json(ctx.state, _membership(ctx)))


def create_membership(ctx: Ctx) -> Response:
    group = find_group(ctx.state, ctx.args["group_id"])
    ctx.ids.update(category_id=group.category_id, group_id=group.id)
    user_id = find_user_id(ctx.state, ctx.request.params.get("user_id") or "")
    if user_id is None:
        raise not_found()
    ctx.ids["user_id"] = user_id
    if not can_join(ctx.state, group.course_id, user_id):
        raise unauthorized(ctx.state.permission_status)
    try:
        membership, created = add_member(ctx.state, group, user_id, ctx.changes)
    except AddRejected as rejected:
        raise validation_error({rejected.attribute: rejected.message}) from None
    ctx.ids["membership_id"] = membership.id
    return Response(membership_json(ctx.state, membership, just_created=created))


def update_membership(ctx: Ctx) -> Response:
    membership = _membership(ctx)
    params = ctx.request.params
    if params.get("moderator") is not None:
        membership.moderator = params.get_bool("moderator")
    if params.get("workflow_state") == "accepted":
        membership.workflow_state = "accepted"
    return Response(membership_json(ctx.state, membership))


def delete_membership(ctx: Ctx) -> Response:
    membership = _membership(ctx)
    remove_membership(ctx.state, membership)
    ctx.changes.removed.append(membership.user_id)
    return Response({"ok": True})


ROUTES: list[RouteSpec] = [
    ("GET", "/groups/:group_id/memberships", list_memberships, None),
    ("POST", "/groups/:group_id/memberships", create_membership, "create_membership"),
    ("GET", "/groups/:group_id/memberships/:membership_id", show_membership, None),
    ("PUT", "/groups/:group_id/memberships/:membership_id", update_membership,
     "update_membership"),
    ("DELETE", "/groups/:group_id/memberships/:membership_id", delete_membership,
     "delete_membership"),
    ("GET", "/groups/:group_id/users", list_group_users, None),
    ("GET", "/groups/:group_id/users/:user_id", show_membership, None),
    ("PUT", "/groups/:group_id/users/:user_id", update_membership, "update_membership"),
    ("DELETE", "/groups/:group_id/users/:user_id", delete_membership, "delete_membership"),
]
