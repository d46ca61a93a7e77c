"""Canvas's exact error bodies (Q-ERROR-SHAPES, Q-AUTH-401, Q-PERMISSION-STATUS, Q-NOT-FOUND,
Q-SERVER-ERRORS; docs/canvas-quirks.md).

Handlers raise `ApiError`; the server renders it. Validation errors use the
`InstructureHashReporter` shape `{"errors": {attr: [{attribute, type, message}]}}`.
"""

from __future__ import annotations

from typing import Any

JSONBody = dict[str, Any] | list[Any]
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="canvas-lms"'}

UNAUTHENTICATED = {"status": "unauthenticated",
                   "errors": [{"message": "user authorization required"}]}
INVALID_TOKEN = {"errors": [{"message": "Invalid access token."}]}
UNAUTHORIZED = {"status": "unauthorized",
                "errors": [{"message": "user not authorized to perform that action"}]}
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
CATEGORY_NOT_FOUND = {"status": "not found"}
PROTECTED_CATEGORY = {"status": "unauthorized"}
GROUP_FULL = "The group is full."


class ApiError(Exception):
    """An HTTP error response with Canvas's body."""

    def __init__(self, status: int, body: JSONBody, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def unauthenticated() -> ApiError:
    return ApiError(401, UNAUTHENTICATED, dict(WWW_AUTHENTICATE))


def invalid_token() -> ApiError:
    return ApiError(401, INVALID_TOKEN, dict(WWW_AUTHENTICATE))


def unauthorized(status: int = 403) -> ApiError:
    return ApiError(status, UNAUTHORIZED)


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


def category_not_found() -> ApiError:
    return ApiError(404, CATEGORY_NOT_FOUND)


def bad_request_empty() -> ApiError:
    """A leader who is not a member (Q-LEADER, docs/canvas-quirks.md): 400 `{}`."""
    return ApiError(400, {})


def request_error(message: str) -> ApiError:
    """`Api::RequestError` rendered by `api_error_json` (e.g. invalid enrollment type)."""
    return ApiError(400, {"errors": [{"message": message}]})


def field_error(field: str, message: str, code: str = "invalid") -> ApiError:
    return ApiError(400, {"errors": [{"field": field, "code": code, "message": message}]})


def validation_error(errors: dict[str, str]) -> ApiError:
    """Model validation failure: 400 with one entry per attribute."""
    return ApiError(400, {"errors": {attr: [validation_entry(attr, msg)]
                                     for attr, msg in errors.items()}})


def validation_entry(attr: str, message: str, type_: str | None = None) -> dict[str, str]:
    # For literal-string validations `type` repeats the message (AME fallback; inferred).
    return {"attribute": attr, "type": type_ or message, "message": message}


def internal_error(report_id: int) -> dict[str, Any]:
    return {"errors": [{"message": "An error occurred.", "error_code": "internal_server_error"}],
            "error_report_id": report_id}
