"""What a request carries: query and form parameters as pairs (arrays as repeated `name[]`,
Q-FORM-ENCODING), or a raw body such as a CSV upload."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Params = Mapping[str, Any] | Sequence[tuple[str, Any]]
Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class RawBody:
    """A request body that is not a form: bytes and their content type (a CSV upload)."""

    content_type: str
    data: bytes


Body = Pairs | RawBody


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def form_pairs(params: Params | None) -> Pairs:
    """Mapping or pairs -> list of string pairs; list values become repeated keys."""
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    out: Pairs = []
    for key, value in items:
        if isinstance(value, list | tuple | set | frozenset):
            out.extend((key, _scalar(v)) for v in value)
        else:
            out.append((key, _scalar(value)))
    return out
