"""The narrow interfaces fetch and apply depend on, so fakes and the real client agree."""

from __future__ import annotations

from typing import Any, Protocol

from reconciler.canvas.bodies import Params
from reconciler.canvas.pool import Pool
from reconciler.canvas.retry import Wait


class ReadAPI(Protocol):
    @property
    def pool(self) -> Pool: ...

    def get(self, path: str, params: Params | None = None) -> Any: ...

    def get_all(self, path: str, params: Params | None = None) -> list[Any]: ...

    def wait(self, seconds: float, notice: Wait | None = None) -> None: ...


class WriteAPI(ReadAPI, Protocol):
    def post(self, path: str, data: Params | None = None) -> Any: ...

    def put(self, path: str, data: Params | None = None) -> Any: ...

    def delete(self, path: str, data: Params | None = None) -> Any: ...

    def post_csv(self, path: str, text: str) -> Any: ...
