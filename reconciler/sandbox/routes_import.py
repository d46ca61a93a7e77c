"""The group CSV import and its Progress (Q-CSV-IMPORT, Q-PROGRESS; docs/canvas-quirks.md).

- POST /group_categories/:id/import: an unknown or deleted category → 404
  `{"status":"not found"}`; a protected category other than student_organized (so
  `communities`) → 401 `{"status":"unauthorized"}`. The file is the multipart part
  `attachment` (its filename must end `.csv`, else the job fails; an `attachment` that is
  not a file has no filename), else the raw body, named `course_group_import.csv`: with a
  `charset` other than utf-8 that is a 400 and no Progress; with an `extension` parameter
  Canvas's `body_file` hands on a String and the request dies (500, inferred). Answers the
  queued Progress; the job itself is jobs.py's.
- GET /progress/:id: the Progress; unknown → the generic 404.
- POST /progress/:id/cancel: only the Progress's own user may cancel, and an import's has
  none, so the answer is unauthorized (the permission status) for every import.
"""

from __future__ import annotations

from reconciler.sandbox.entities import Progress
from reconciler.sandbox.errors import (
    PROTECTED_CATEGORY,
    ApiError,
    internal_error,
    not_found,
    request_error,
    unauthorized,
)
from reconciler.sandbox.jobs import enqueue_import
from reconciler.sandbox.lookup import find_category
from reconciler.sandbox.multipart import media_type
from reconciler.sandbox.router import Ctx, Response, RouteSpec
from reconciler.sandbox.serialize import progress_json

RAW_BODY_FILENAME = "course_group_import.csv"
# Canvas raises an undefined InvalidContentType here (status unverified; docs/emulator.md).
INVALID_CHARSET = "Invalid content type, UTF-8 required"


def import_category(ctx: Ctx) -> Response:
    category = find_category(ctx.state, ctx.args["category_id"])
    ctx.ids["category_id"] = category.id
    if category.protected and category.role != "student_organized":
        raise ApiError(401, PROTECTED_CATEGORY)
    filename, data = _file(ctx)
    progress = enqueue_import(ctx.state, category, filename, data)
    ctx.ids["progress_id"] = progress.id
    return Response(progress_json(progress, ctx.base_url))


def _file(ctx: Ctx) -> tuple[str | None, bytes]:
    """The file's name and bytes: the `attachment` upload, else `body_file`."""
    request = ctx.request
    if "attachment" in request.files:
        upload = request.files["attachment"]
        return upload.filename, upload.data
    if request.params.has("attachment"):  # a plain field: a String, with no filename
        return None, (request.params.get("attachment") or "").encode()
    if request.params.has("extension"):
        raise ApiError(500, internal_error(ctx.state.next_error_report_id()))
    charset = media_type(request.headers.get("content-type", ""))[1].get("charset", "")
    if charset.strip() and charset.lower() != "utf-8":
        raise request_error(INVALID_CHARSET)
    return RAW_BODY_FILENAME, request.body


def _progress(ctx: Ctx) -> Progress:
    ref = ctx.args["progress_id"]
    progress = ctx.state.t.progress.get(int(ref)) if ref.isdigit() else None
    if progress is None:
        raise not_found()
    ctx.ids["progress_id"] = progress.id
    return progress


def show_progress(ctx: Ctx) -> Response:
    return Response(progress_json(_progress(ctx), ctx.base_url))


def cancel_progress(ctx: Ctx) -> Response:
    """`:cancel` is granted to the Progress's own user only; an import's has none."""
    _progress(ctx)
    raise unauthorized(ctx.state.permission_status)


ROUTES: list[RouteSpec] = [
    ("POST", "/group_categories/:category_id/import", import_category,
     "queue_group_category_import"),
    ("GET", "/progress/:progress_id", show_progress, None),
    ("POST", "/progress/:progress_id/cancel", cancel_progress, "cancel_progress"),
]
