"""Numbered pagination with Canvas's Link header (Q-PER-PAGE, Q-LINK, Q-NO-LAST, Q-PAST-END;
docs/canvas-quirks.md).

- `per_page` defaults to 10 and is clamped to 1..100 (`Api.per_page_for`); `page` is ordinal.
- Link rels in the order current, next, prev, first, last; entries joined by "," with no
  space; absolute URLs from the request's Host header; the original query (minus page,
  per_page, access_token, api_key) re-encoded like Rails `to_query` (sorted, `%5B%5D`), then
  `page=P&per_page=N`.
- `last` is left out where Canvas does not count the collection (GET /courses/:id/users).
- A page past the end is `[]`, not 404.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote_plus

from reconciler.sandbox.http import Request, ruby_to_i

T = TypeVar("T")
PER_PAGE = 10
MAX_PER_PAGE = 100
EXCLUDED = frozenset({"page", "per_page", "access_token", "api_key"})


@dataclass(frozen=True)
class Page:
    number: int
    per_page: int


def page_of(request: Request) -> Page:
    raw_per_page = request.params.get("per_page")
    per_page = PER_PAGE if raw_per_page is None else ruby_to_i(raw_per_page)
    raw_page = request.params.get("page")
    number = 1 if raw_page is None else ruby_to_i(raw_page)
    return Page(max(number, 1), min(max(per_page, 1), MAX_PER_PAGE))


def paginate(request: Request, items: Sequence[T], *, with_last: bool = True
             ) -> tuple[list[T], str]:
    """The requested page of `items` and the Link header value."""
    page = page_of(request)
    start = (page.number - 1) * page.per_page
    chunk = list(items[start:start + page.per_page])
    total_pages = max(1, math.ceil(len(items) / page.per_page))
    rels: list[tuple[str, int]] = [("current", page.number)]
    if page.number < total_pages:
        rels.append(("next", page.number + 1))
    if page.number > 1:
        rels.append(("prev", page.number - 1))
    rels.append(("first", 1))
    if with_last:
        rels.append(("last", total_pages))
    base = f"http://{request.host}{request.path}?{canonical_query(request)}"
    link = ",".join(f'<{base}page={n}&per_page={page.per_page}>; rel="{rel}"' for rel, n in rels)
    return chunk, link


def canonical_query(request: Request) -> str:
    """Original query params, grouped per key and sorted like Rails `Hash#to_query`."""
    grouped: dict[str, list[str]] = {}
    for key, value in request.query:
        if key.removesuffix("[]") not in EXCLUDED:
            grouped.setdefault(key, []).append(value)
    parts = sorted("&".join(f"{_enc(key)}={_enc(v)}" for v in values)
                   for key, values in grouped.items())
    return "".join(f"{part}&" for part in parts)


def _enc(text: str) -> str:
    return quote_plus(text, safe="")
