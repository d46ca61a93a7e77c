"""Groups (Q-INLINE-USERS, Q-MEMBERS-REPLACE, Q-LEADER, Q-GROUP-PUT-KEEPS; docs/canvas-quirks.md).

- GET /courses/:id/groups: active groups of every category ordered by category name, group
  name, id; `include[]=users` inlines all non-deleted members (cap 1000).
- POST /group_categories/:id/groups: an unknown or deleted category → 404 with the generic
  not-found body (GroupsController#create's `api_find(GroupCategory.active, ...)` raises
  RecordNotFound, Q-GROUP-CREATE-404); omitted name → a uuid-like name (Q-NAME-RULES).
- Every save (POST, PUT, DELETE) gives a group without max_membership the category's
  group_limit (rules.inherit_group_limit, Q-LIMIT-FILL), so a PUT that clears
  max_membership in a limited category ends up with the limit again.
- `is_public` is saved false outside `communities` categories, so course groups are always
  private whatever is sent (G `ensure_defaults`; validation.saved_is_public).
- PUT /groups/:id: attributes, `leader[id]` (must already be a member, checked before
  `members[]` is applied, else 400 `{}`), and `members[]` full replacement (rules.set_members).
  POST/PUT responses always include users, group_category and permissions.
- DELETE /groups/:id soft-deletes and returns the group; deleted groups 404 afterwards.
- A section-limited caller (a user token whose enrollment limits privileges to its
  sections) is shown only its sections' students in a group's `users` and `members_count`
  (Q-SECTION-LIMITED); a members[] write from it still replaces every membership.
"""

from __future__ import annotations

import random
import uuid

from reconciler.sandbox.entities import Group, GroupCategory
from reconciler.sandbox.errors import bad_request_empty, not_found
from reconciler.sandbox.http import Params, ruby_to_i
from reconciler.sandbox.lookup import active_category, find_course, find_group
from reconciler.sandbox.pagination import paginate
from reconciler.sandbox.router import Ctx, Response, RouteSpec
from reconciler.sandbox.rules import delete_group, inherit_group_limit, set_members
from reconciler.sandbox.serialize import group_json
from reconciler.sandbox.validation import check_group, check_sis_id, saved_is_public

WRITE_INCLUDES = frozenset({"users", "group_category", "permissions"})
GROUP_INCLUDES = WRITE_INCLUDES


def course_groups(ctx: Ctx) -> Response:
    course = find_course(ctx.state, ctx.args["course_id"])
    state = ctx.state
    rows = [(c.name, g.name, g.id, g) for c in state.categories(course.id)
            for g in state.groups(c.id)]
    groups = [row[3] for row in sorted(rows, key=lambda r: r[:3])]
    page, link = paginate(ctx.request, groups)
    includes = ctx.includes() & GROUP_INCLUDES
    visible = ctx.visible_sections(course.id)
    return Response([group_json(state, g, ctx.base_url, includes, visible) for g in page],
                    headers={"Link": link})


def show_group(ctx: Ctx) -> Response:
    group = find_group(ctx.state, ctx.args["group_id"])
    return Response(group_json(ctx.state, group, ctx.base_url, ctx.includes() & GROUP_INCLUDES,
                               ctx.visible_sections(group.course_id)))


def create_group(ctx: Ctx) -> Response:
    category = active_category(ctx.state, ctx.args["category_id"])
    if category is None:
        raise not_found()  # the generic body, not the category routes' {"status":"not found"}
    params = ctx.request.params
    check_group(params, None, category)
    sis_id = params.get("sis_group_id") or None
    check_sis_id(ctx.state, "groups", sis_id, None)
    group = ctx.state.create_group(category.id, params.get("name") or _generated_name(ctx),
                                   sis_id=sis_id)
    _apply_attributes(group, category, params)
    inherit_group_limit(ctx.state, group)
    ctx.ids.update(category_id=category.id, group_id=group.id)
    return Response(group_json(ctx.state, group, ctx.base_url, WRITE_INCLUDES,
                               ctx.visible_sections(group.course_id)))


def _generated_name(ctx: Ctx) -> str:
    """Canvas names an unnamed group with a random uuid; ours is seeded by the next id."""
    seed = random.Random(ctx.state.counters["group"])
    return str(uuid.UUID(int=seed.getrandbits(128), version=4))


def update_group(ctx: Ctx) -> Response:
    group = find_group(ctx.state, ctx.args["group_id"])
    params = ctx.request.params
    ctx.ids.update(category_id=group.category_id, group_id=group.id)
    leader = _leader_param(params)
    if leader and leader not in ctx.state.member_ids(group.id):
        raise bad_request_empty()
    category = ctx.state.t.categories[group.category_id]
    check_group(params, group, category)
    if params.has("sis_group_id"):
        sis_id = params.get("sis_group_id") or None
        check_sis_id(ctx.state, "groups", sis_id, group.id)
        group.sis_id = sis_id
    _apply_attributes(group, category, params)
    inherit_group_limit(ctx.state, group)
    if leader is not None:
        group.leader_id = leader or None
    members = params.get_list("members")
    if members is not None:
        ctx.kind = "set_members"
        ids = [ruby_to_i(part) for value in members for part in value.split(",")]
        set_members(ctx.state, group, ids, ctx.changes)
    return Response(group_json(ctx.state, group, ctx.base_url, WRITE_INCLUDES,
                               ctx.visible_sections(group.course_id)))


def _leader_param(params: Params) -> int | None:
    """The requested leader id; 0 means "clear"; None means "not given"."""
    if not params.has("leader"):
        return None
    value = params.get_nested("leader", "id")
    if value is None and "leader" not in params.json:
        value = params.get("leader")
    return ruby_to_i(value) if value else 0


def _apply_attributes(group: Group, category: GroupCategory, params: Params) -> None:
    if params.get("name") is not None:
        group.name = str(params.get("name"))
    if params.has("description"):
        group.description = params.get("description")
    group.is_public = saved_is_public(category, params.get("is_public"), group.is_public)
    if params.get("join_level") is not None:
        group.join_level = str(params.get("join_level"))
    if params.has("max_membership"):
        group.max_membership = params.get_int("max_membership")


def delete_group_route(ctx: Ctx) -> Response:
    group = find_group(ctx.state, ctx.args["group_id"])
    ctx.ids.update(category_id=group.category_id, group_id=group.id)
    delete_group(ctx.state, group)
    return Response(group_json(ctx.state, group, ctx.base_url))


ROUTES: list[RouteSpec] = [
    ("GET", "/courses/:course_id/groups", course_groups, None),
    ("POST", "/group_categories/:category_id/groups", create_group, "create_group"),
    ("GET", "/groups/:group_id", show_group, None),
    ("PUT", "/groups/:group_id", update_group, "update_group"),
    ("DELETE", "/groups/:group_id", delete_group_route, "delete_group"),
]
