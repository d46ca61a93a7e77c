"""Route table: `(method, "/courses/:course_id/...", handler, write kind)` → handler.

A route with a `kind` is a write; the server logs every request to it in the write log.
Paths are matched below `/api/v1`; anything unmatched is Canvas's generic 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.sandbox.errors import JSONBody
from reconciler.sandbox.http import Request
from reconciler.sandbox.rules import Changes
from reconciler.sandbox.state import EmulatorState

API_PREFIX = "/api/v1"


@dataclass
class Response:
    """A handler's answer: JSON, or raw bytes of `content_type` (e.g. the CSV export)."""

    body: JSONBody | bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None  # for bytes bodies; JSON bodies are always JSON


@dataclass
class Ctx:
    """Everything a handler gets: the state, the request, path args and write bookkeeping."""

    state: EmulatorState
    request: Request
    args: dict[str, str]
    base_url: str
    kind: str | None = None  # a handler may refine its route's write kind
    changes: Changes = field(default_factory=Changes)
    ids: dict[str, int] = field(default_factory=dict)
    caller: int | None = None  # the user a user token belongs to; None: the server's token

    def includes(self, name: str = "include") -> frozenset[str]:
        return frozenset(self.request.params.get_list(name) or [])

    def visible_sections(self, course_id: int) -> set[int | None] | None:
        """The caller's sections when they are section-limited, else None (sees all)."""
        return self.state.visible_sections(course_id, self.caller)


Handler = Callable[[Ctx], Response]
RouteSpec = tuple[str, str, Handler, str | None]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    kind: str | None


class Router:
    def __init__(self, specs: list[RouteSpec]) -> None:
        self.routes = [Route(m, _compile(t), h, k) for m, t, h, k in specs]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        if not path.startswith(API_PREFIX + "/"):
            return None
        tail = path[len(API_PREFIX):].rstrip("/")
        for route in self.routes:
            found = route.pattern.fullmatch(tail)
            if found and route.method == method:
                return route, found.groupdict()
        return None


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(r":(\w+)", r"(?P<\1>[^/]+)", template)
    return re.compile(regex)
