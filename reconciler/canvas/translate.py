"""Turn Canvas error responses and transport failures into the CanvasError tree.

Canvas facts relied on (Q-ERROR-SHAPES, Q-SERVER-ERRORS, Q-THROTTLE-STATUS,
Q-PERMISSION-STATUS, Q-TOKEN-FORMAT; docs/canvas-quirks.md):
error bodies come in many shapes — `{"errors":[{"message":..}]}`,
`{"errors":{"attr":[{"message":..}]}}`, `{"status":"not found"}`, `{"message":..}`,
`{"error":..}`, `{}`, an empty body, text/plain (the throttle's
`403 Forbidden (Rate Limit Exceeded)`), and HTML or empty pages from the hosting edge on
502/503/504. Throttling is 429 (hosted, since 2025-10) or a 403 whose body says "Rate Limit
Exceeded"; other 403s and 401s are auth or permission failures. Messages never carry the
token: everything shown is passed through `redact`.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import requests

from reconciler.errors import (
    CanvasAuthError,
    CanvasError,
    CanvasNotFoundError,
    CanvasThrottledError,
)

MAX_MESSAGE = 300
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_TOKEN_ADVICE = "check CANVAS_API_TOKEN: Canvas says the token is invalid, expired or revoked"


def redact(text: str, token: str) -> str:
    """Remove every occurrence of the token, and of its secret part alone: Canvas tokens
    are `<shard id>~<secret>`, and an echo of the secret without the prefix leaks it too."""
    secret = token.partition("~")[2]
    for part in (token, secret):
        if len(part) >= 4:
            # as it is, and as a repr or a JSON string would quote it
            for form in {part, repr(part)[1:-1], json.dumps(part)[1:-1]}:
                text = text.replace(form, "[redacted]")
    return text


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _from_errors(errors: Any) -> str | None:
    """`errors` as a list of {message}, a dict attr -> [{message}], or a bare string."""
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        parts = [_item_message(item) for item in errors]
        return "; ".join(p for p in parts if p) or None
    if isinstance(errors, dict):
        parts = []
        for attr, items in errors.items():
            msgs = [_item_message(i) for i in (items if isinstance(items, list) else [items])]
            parts.append(f"{attr}: {', '.join(m for m in msgs if m)}")
        return "; ".join(parts) or None
    return None


def _item_message(item: Any) -> str:
    if isinstance(item, dict):
        message = item.get("message") or item.get("type") or ""
        field = item.get("field")
        return f"{field}: {message}" if field and message else str(message)
    return str(item)


def json_message(body: Any) -> str:
    """Canvas's own message from a decoded JSON error body."""
    if not isinstance(body, dict):
        return shorten(json.dumps(body))
    for key in ("errors", "message", "error"):
        if key in body:
            found = _from_errors(body[key])
            if found:
                return found
    if "status" in body:
        return str(body["status"])
    return "no error details (empty JSON object)" if not body else shorten(json.dumps(body))


def html_message(text: str) -> str:
    """Reduce an HTML page (maintenance, gateway error) to its title or a short text."""
    match = _TITLE.search(text)
    if match and match.group(1).strip():
        return "HTML error page: " + shorten(html.unescape(match.group(1)), 120)
    plain = shorten(html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", text))), 120)
    return f"HTML error page: {plain}" if plain else "HTML error page"


def response_message(response: requests.Response) -> str:
    """Whatever Canvas said, as one short line."""
    text = response.text or ""
    if not text.strip():
        return "empty response body"
    ctype = response.headers.get("content-type", "").lower()
    if "html" in ctype or text.lstrip()[:1] == "<":
        return html_message(text)
    try:
        return shorten(json_message(json.loads(text)))
    except ValueError:
        return shorten(text)


def is_throttled(status: int, body_text: str) -> bool:
    """429, or a 403 whose body says so. Never decided from X-Rate-Limit-Remaining alone:
    a throttled 403 may carry a positive remaining (Q-RATE-REMAINING)."""
    return status == 429 or (status == 403 and "rate limit exceeded" in body_text.lower())


def _auth_advice(status: int, message: str) -> str:
    low = message.lower()
    if "access token" in low and any(w in low for w in ("invalid", "expired", "revoked")):
        return _TOKEN_ADVICE
    if "insufficient scopes" in low:
        return "check CANVAS_API_TOKEN: the token lacks a scope this call needs"
    if status == 401 and "authorization required" in low:
        return "check CANVAS_API_TOKEN: Canvas did not accept any credentials"
    if "manage_sis" in low:
        return "the token's user needs the manage_sis permission to set SIS ids"
    return ("the token's user lacks permission for this call (it needs group-management "
            "rights in the course); if it should have them, " + _TOKEN_ADVICE)


def _not_found_advice(path: str) -> str:
    if "/courses/" in path:
        return ("the course may not exist, or the token's user cannot see it; "
                "check the course id and the token")
    return "the object may have been deleted, or the token's user cannot see it"


def error_for_response(method: str, path: str, response: requests.Response,
                       token: str) -> CanvasError:
    """The CanvasError subclass for a non-2xx response."""
    status = response.status_code
    message = redact(response_message(response), token)
    if is_throttled(status, response.text or ""):
        return CanvasThrottledError(method, path, status, message,
                                    advice="Canvas is rate-limiting this token; retry later")
    if status in (401, 403):
        return CanvasAuthError(method, path, status, message,
                               advice=_auth_advice(status, message))
    if status == 404:
        return CanvasNotFoundError(method, path, status, message,
                                   advice=_not_found_advice(path))
    if 300 <= status < 400:
        where = redact(response.headers.get("location", "?"), token)
        return CanvasError(method, path, status, f"unexpected redirect to {where}",
                           advice="check the Canvas base URL")
    return CanvasError(method, path, status, message)


def error_for_exception(method: str, path: str, exc: requests.RequestException,
                        token: str) -> CanvasError:
    """A transport failure (no usable response)."""
    return CanvasError(method, path, None, redact(_transport_summary(exc), token))


_REASONS = (
    ("refused", "connection refused"),
    ("name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("failed to resolve", "host name not found"),
    ("certificate", "TLS certificate problem"),
    ("reset by peer", "connection reset"),
    ("remotedisconnected", "connection closed without a response"),
    ("aborted", "connection aborted"),
)


def _transport_summary(exc: requests.RequestException) -> str:
    """A short cause instead of urllib3's nested repr chain."""
    text = str(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, requests.Timeout):
        return "timed out waiting for a response"
    low = text.lower()
    for needle, reason in _REASONS:
        if needle in low:
            return f"{reason} ({type(exc).__name__})"
    kind = "connection failed" if isinstance(exc, requests.ConnectionError) else "request failed"
    return shorten(f"{kind}: {type(exc).__name__}: {text}", 200)


def with_attempts(error: CanvasError, attempts: int, why: str = "") -> CanvasError:
    """The same error, saying how many attempts were made."""
    suffix = f" (gave up after {attempts} attempt{'s' if attempts != 1 else ''}{why})"
    return type(error)(error.method, error.path, error.status, error.canvas_message + suffix,
                       advice=error.advice)
