"""Request parsing in Canvas's dialect (Q-FORM-ENCODING, Q-DELETE-FORM, Q-BOOLEANS, Q-BEARER;
docs/canvas-quirks.md).

Parameters come from the query string and from the body: form-encoded (what canvasapi and
`requests` send, on DELETE too), JSON, or multipart (its file parts are `Request.files`).
Arrays are `name[]=a&name[]=b`, nested keys are `leader[id]=5`; a JSON body gives the same
names as lists and objects. A `text/*` body is no parameters (Rails parses none); every
body is also kept raw (`Request.body`), as the CSV import reads it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from reconciler.sandbox.errors import ApiError
from reconciler.sandbox.multipart import Upload, media_type, parse_form_data

TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
_LEADING_INT = re.compile(r"\s*([+-]?\d+)")


@dataclass
class Params:
    """Query + body parameters with the lookups Canvas controllers use."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    json: dict[str, Any] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return (name in self.json or any(k in (name, f"{name}[]") for k, _ in self.pairs)
                or any(k.startswith(f"{name}[") for k, _ in self.pairs))

    def get(self, name: str) -> str | None:
        """A scalar parameter (the last one wins, as in Rack)."""
        if name in self.json:
            return _scalar(self.json[name])
        values = [v for k, v in self.pairs if k == name]
        return values[-1] if values else None

    def get_list(self, name: str) -> list[str] | None:
        """`name[]` values, a JSON list, or a lone `name` string; None when absent."""
        if name in self.json:
            value = self.json[name]
            items = value if isinstance(value, list) else [value]
            return [s for s in (_scalar(v) for v in items) if s is not None]
        arrays = [v for k, v in self.pairs if k == f"{name}[]"]
        if arrays:
            return arrays
        scalar = self.get(name)
        return None if scalar is None else [scalar]

    def get_nested(self, name: str, key: str) -> str | None:
        """`name[key]` in a form, or `{"name": {"key": ...}}` in JSON."""
        value = self.json.get(name)
        if isinstance(value, dict):
            return _scalar(value.get(key))
        return self.get(f"{name}[{key}]")

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        return default if value is None else to_bool(value)

    def get_int(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None or value.strip() == "" else ruby_to_i(value)


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: list[tuple[str, str]]
    params: Params
    headers: dict[str, str]  # lower-cased names
    client: str = "127.0.0.1"
    body: bytes = b""
    files: dict[str, Upload] = field(default_factory=dict)  # multipart file parts by name

    @property
    def host(self) -> str:
        return self.headers.get("host", "localhost")

    def token(self) -> str | None:
        """Bearer header (scheme matched case-sensitively), else the `access_token` param."""
        auth = self.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer "):].strip()
        return self.params.get("access_token")


def parse_request(method: str, target: str, headers: dict[str, str], body: bytes,
                  client: str = "127.0.0.1") -> Request:
    split = urlsplit(target)
    query = parse_qsl(split.query, keep_blank_values=True)
    lowered = {k.lower(): v for k, v in headers.items()}
    params = Params(list(query))
    files = _add_body(params, lowered.get("content-type", ""), body)
    return Request(method.upper(), split.path, query, params, lowered, client, body, files)


def _add_body(params: Params, content_type: str, body: bytes) -> dict[str, Upload]:
    """Add the body's parameters; return its file parts."""
    kind = media_type(content_type)[0]
    if not body or kind.startswith("text/"):
        return {}
    if kind == "multipart/form-data":
        form = parse_form_data(content_type, body)
        params.pairs.extend(form.fields)
        return form.files
    _add_text(params, content_type, body.decode("utf-8", errors="replace"))
    return {}


def _add_text(params: Params, content_type: str, text: str) -> None:
    if "application/json" in content_type:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ApiError(400, {"errors": [{"message": "Malformed JSON body"}]}) from exc
        if isinstance(data, dict):
            params.json = data
        return
    params.pairs.extend(parse_qsl(text, keep_blank_values=True))


def to_bool(value: object) -> bool:
    """Canvas `value_to_boolean`."""
    return str(value).strip().lower() in TRUE_WORDS


def ruby_to_i(value: str) -> int:
    """Ruby's `String#to_i`: leading digits, else 0 (so `members[]=` becomes 0)."""
    match = _LEADING_INT.match(value)
    return int(match.group(1)) if match else 0


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
