"""The emulator's threads leave Ctrl-C to the main thread (the demo's prompt runs there)."""

from __future__ import annotations

import signal
from typing import Any

import requests

from reconciler.sandbox import SandboxServer


def test_requests_are_served_on_threads_that_block_sigint() -> None:
    seen: list[bool] = []
    with SandboxServer() as server:
        handle = server.app.handle

        def recording(request: Any) -> Any:
            seen.append(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))
            return handle(request)

        server.app.handle = recording  # type: ignore[method-assign]
        answer = requests.get(f"{server.base_url}/api/v1/courses/101",
                              headers={"Authorization": f"Bearer {server.token}"}, timeout=5)
    assert answer.status_code == 200 and seen == [True]
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())
