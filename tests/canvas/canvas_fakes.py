"""Shared helpers for the canvas tests: a client with recorded sleeps, a scripted fake API
for apply, and a minimal plan value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.canvas import CanvasClient, RetryPolicy
from reconciler.canvas.bodies import form_pairs
from reconciler.canvas.pool import Pool
from reconciler.canvas.retry import Wait
from reconciler.ops import Operation

BASE = "https://canvas.example.edu"
TOKEN = "7~SeCrEtToKeN-do-not-leak-4f2a9c81e0b7d6"


def make_client(*, random: Callable[[], float] = lambda: 0.0, **policy: Any,
                ) -> tuple[CanvasClient, list[float]]:
    sleeps: list[float] = []
    retry = RetryPolicy(random=random, **policy)
    return CanvasClient(BASE, TOKEN, retry=retry, sleep=sleeps.append), sleeps


@dataclass
class FakePlan:
    course_id: int
    operations: Sequence[Operation]
    known_set_ids: frozenset[int] = frozenset()
    known_group_ids: frozenset[int] = frozenset()


@dataclass
class FakeAPI:
    """Records every call as (method, path, pairs); `script` maps (method, path) to a list of
    results consumed in order (an Exception is raised, anything else returned)."""

    script: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    next_id: int = 900
    pool: Pool = field(default_factory=lambda: Pool(1))
    waited: list[float] = field(default_factory=list)
    notices: list[Wait] = field(default_factory=list)

    def _call(self, method: str, path: str, data: Any) -> Any:
        self.calls.append((method, path, form_pairs(data)))
        queue = self.script.get((method, path))
        if queue:
            result = queue.pop(0) if len(queue) > 1 else queue[0]
            if isinstance(result, Exception):
                raise result
            return result
        if method == "POST":
            self.next_id += 1
            return {"id": self.next_id}
        return [] if method == "GET" else {}

    def get(self, path: str, params: Any = None) -> Any:
        return self._call("GET", path, params)

    def get_all(self, path: str, params: Any = None) -> list[Any]:
        result = self._call("GET", path, params)
        assert isinstance(result, list)
        return result

    def post(self, path: str, data: Any = None) -> Any:
        return self._call("POST", path, data)

    def put(self, path: str, data: Any = None) -> Any:
        return self._call("PUT", path, data)

    def delete(self, path: str, data: Any = None) -> Any:
        return self._call("DELETE", path, data)

    def post_csv(self, path: str, text: str) -> Any:
        return self._call("POST", path, [("csv", text)])

    def wait(self, seconds: float, notice: Wait | None = None) -> None:
        self.waited.append(seconds)
        if notice is not None:
            self.notices.append(notice)

    def writes(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        return [c for c in self.calls if c[0] != "GET"]
