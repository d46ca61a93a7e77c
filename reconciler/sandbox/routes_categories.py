"""Group categories ("group sets"): Q-SET-NAMES, Q-SET-CREATE, Q-SET-PUT-RESETS, Q-PROTECTED,
Q-NON-COLLAB, Q-SOFT-DELETE (docs/canvas-quirks.md).

- List: active categories, ordered by id, protected ones included; `collaboration_state`
  collaborative (default) | all | non_collaborative, else 400 `{"error": ...}`.
- Create: validations, `create_group_count` groups named "<singular name> N", response always
  carries `groups_count` and `unassigned_users_count`. `includes[]` (plural) elsewhere.
- Update: omitted self_signup / auto_leader / group_limit are reset to null (ParamsPolicy);
  a changed limit is copied into every group's max_membership.
- Delete: soft-deletes the category and its groups, returns the category JSON; protected
  categories answer 401 `{"status":"unauthorized"}`.
"""

from __future__ import annotations

from reconciler.sandbox.errors import PROTECTED_CATEGORY, ApiError, validation_error
from reconciler.sandbox.lookup import find_category, find_course
from reconciler.sandbox.pagination import paginate
from reconciler.sandbox.router import Ctx, Response, RouteSpec
from reconciler.sandbox.routes_courses import check_search_term, filter_users
from reconciler.sandbox.rules import (
    delete_category,
    heterogeneous_group,
    unassigned_students,
    update_groups_max_membership,
)
from reconciler.sandbox.serialize import category_json, group_json, roster_user_json
from reconciler.sandbox.validation import (
    MAX_NEW_GROUPS,
    category_settings,
    check_category,
    check_sis_id,
    singularize,
)

COLLABORATION_STATES = ("", "collaborative", "all", "non_collaborative")
CREATE_INCLUDES = frozenset({"groups_count", "unassigned_users_count"})


def list_categories(ctx: Ctx) -> Response:
    course = find_course(ctx.state, ctx.args["course_id"])
    state_param = ctx.request.params.get("collaboration_state") or ""
    if state_param not in COLLABORATION_STATES:
        raise ApiError(400, {"error": f"Invalid collaboration_state: {state_param}"})
    categories = [] if state_param == "non_collaborative" else ctx.state.categories(course.id)
    page, link = paginate(ctx.request, categories)
    includes = ctx.includes("includes")
    return Response([category_json(ctx.state, c, includes) for c in page],
                    headers={"Link": link})


def show_category(ctx: Ctx) -> Response:
    category = find_category(ctx.state, ctx.args["category_id"])
    return Response(category_json(ctx.state, category, ctx.includes("includes")))


def create_category(ctx: Ctx) -> Response:
    course = find_course(ctx.state, ctx.args["course_id"])
    params = ctx.request.params
    settings = category_settings(params)
    count = params.get_int("create_group_count") or 0
    check_category(ctx.state, course.id, settings, existing=None, create_count=count)
    sis_id = params.get("sis_group_category_id") or None
    check_sis_id(ctx.state, "categories", sis_id, None)
    category = ctx.state.create_category(
        course.id, str(settings.name), self_signup=settings.self_signup,
        auto_leader=settings.auto_leader, group_limit=settings.group_limit, sis_id=sis_id)
    ctx.ids["category_id"] = category.id
    for number in range(1, min(count, MAX_NEW_GROUPS) + 1):
        ctx.state.create_group(category.id, f"{singularize(category.name)} {number}")
    includes = CREATE_INCLUDES | ctx.includes("includes")
    return Response(category_json(ctx.state, category, includes))


def update_category(ctx: Ctx) -> Response:
    category = find_category(ctx.state, ctx.args["category_id"])
    ctx.ids["category_id"] = category.id
    params = ctx.request.params
    settings = category_settings(params)
    check_category(ctx.state, category.course_id, settings, existing=category, create_count=None)
    if (settings.self_signup == "restricted" and category.self_signup != "restricted"
            and heterogeneous_group(ctx.state, category)):
        # Message text not verified against Canvas (Q-RESTRICTED-SECTIONS: only the attribute).
        raise validation_error({"restrict_self_signup": "Can't enable restricted self signup "
                                "while a mixed-section group exists"})
    if params.has("sis_group_category_id"):
        sis_id = params.get("sis_group_category_id") or None
        check_sis_id(ctx.state, "categories", sis_id, category.id)
        category.sis_id = sis_id
    if settings.name is not None:
        category.name = settings.name
    category.self_signup = settings.self_signup
    category.auto_leader = settings.auto_leader
    if category.group_limit != settings.group_limit:
        category.group_limit = settings.group_limit
        update_groups_max_membership(ctx.state, category)
    return Response(category_json(ctx.state, category, ctx.includes("includes")))


def delete_category_route(ctx: Ctx) -> Response:
    category = find_category(ctx.state, ctx.args["category_id"])
    ctx.ids["category_id"] = category.id
    if category.protected:
        raise ApiError(401, PROTECTED_CATEGORY)
    delete_category(ctx.state, category)
    return Response(category_json(ctx.state, category))


def category_groups(ctx: Ctx) -> Response:
    category = find_category(ctx.state, ctx.args["category_id"])
    page, link = paginate(ctx.request, ctx.state.groups(category.id))
    return Response([group_json(ctx.state, g, ctx.base_url) for g in page],
                    headers={"Link": link})


def category_users(ctx: Ctx) -> Response:
    """Students of the course; `unassigned=true` keeps those in no group of the category."""
    category = find_category(ctx.state, ctx.args["category_id"])
    params = ctx.request.params
    if params.get("search_term") is not None:
        check_search_term(str(params.get("search_term")))
    if params.get_bool("unassigned"):
        ids = unassigned_students(ctx.state, category)
    else:
        ids = sorted({e.user_id for e in ctx.state.enrollments(category.course_id)
                      if e.type == "StudentEnrollment" and e.state in ("active", "invited")})
    users = filter_users(ctx, [ctx.state.user(uid) for uid in ids])
    page, link = paginate(ctx.request, users)
    body = [roster_user_json(ctx.state, u, category.course_id, None, with_email=False)
            for u in page]
    return Response(body, headers={"Link": link})


ROUTES: list[RouteSpec] = [
    ("GET", "/courses/:course_id/group_categories", list_categories, None),
    ("POST", "/courses/:course_id/group_categories", create_category, "create_group_category"),
    ("GET", "/group_categories/:category_id", show_category, None),
    ("PUT", "/group_categories/:category_id", update_category, "update_group_category"),
    ("DELETE", "/group_categories/:category_id", delete_category_route, "delete_group_category"),
    ("GET", "/group_categories/:category_id/groups", category_groups, None),
    ("GET", "/group_categories/:category_id/users", category_users, None),
]
