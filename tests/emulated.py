"""The real CanvasClient talking to the emulator in-process: a requests transport adapter
that hands each request to `SandboxApp.handle_raw` instead of a socket.

Everything above the transport is the product's own code path (client, pagination, error
translation, fetch, apply); everything below is the emulator's Canvas model. No thread, no
port, so a property can build a fresh Canvas for every example.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from reconciler.canvas.client import CanvasClient
from reconciler.sandbox.app import SandboxApp
from reconciler.sandbox.state import EmulatorState

BASE_URL = "http://127.0.0.1:9"  # never dialled: the adapter answers every request
TOKEN = "sandbox-token"


class InProcessAdapter(BaseAdapter):
    def __init__(self, app: SandboxApp) -> None:
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        url = urlsplit(request.url or "")
        target = url.path + (f"?{url.query}" if url.query else "")
        body = request.body or b""
        headers = {**request.headers, "Host": url.netloc}
        outcome = self.app.handle_raw(str(request.method), target, headers,
                                      body.encode() if isinstance(body, str) else body,
                                      "127.0.0.1")
        if outcome.drop:
            raise requests.ConnectionError("connection dropped by the emulator")
        response = requests.Response()
        response.status_code = outcome.status
        response.headers = CaseInsensitiveDict(outcome.headers)
        response._content = outcome.body
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def in_process_client(state: EmulatorState, **app_options: Any) -> CanvasClient:
    """A CanvasClient whose requests the emulator serves in-process (no back-off sleeps)."""
    session = requests.Session()
    session.mount("http://", InProcessAdapter(SandboxApp(state, token=TOKEN, **app_options)))
    return CanvasClient(BASE_URL, TOKEN, session=session, sleep=lambda _seconds: None)
