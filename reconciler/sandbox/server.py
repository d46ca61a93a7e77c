"""`SandboxServer`: the emulator on a loopback `ThreadingHTTPServer`.

Standard library only. `start()` serves from a daemon thread and `stop()` ends it; `wait()`
blocks until then (the CLI's `reconciler sandbox serve` is `start()` then `wait()`). With
`state_file` the state is loaded from that file when it exists (else the demo seed) and saved
after every write. `import_config` sets the CSV import job's knobs (`state.import_config`).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from reconciler.sandbox.app import Outcome, SandboxApp
from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.import_config import ImportConfig
from reconciler.sandbox.seed import seed_demo_state
from reconciler.sandbox.state import EmulatorState
from reconciler.sandbox.throttle import ThrottleConfig


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        super().__init__(address, _Handler)
        self.app = app


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "CanvasSandbox/1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms on Linux) on every keep-alive request (docs/performance.md).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        outcome = self.server.app.handle_raw(self.command, self.path, dict(self.headers.items()),
                                             body, self.client_address[0])
        if outcome.drop:
            self._drop()
        else:
            self._send(outcome)

    def _send(self, outcome: Outcome) -> None:
        self.send_response(outcome.status)
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(outcome.body)))
        self.end_headers()
        self.wfile.write(outcome.body)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the emulator is used inside tests and the demo."""


WILDCARD_HOSTS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}


def reachable_host(host: str) -> str:
    """The address a client on this machine uses: a wildcard bind is reached on loopback
    (the only plain-http address reconciler accepts)."""
    if host in WILDCARD_HOSTS:
        return WILDCARD_HOSTS[host]
    return f"[{host}]" if ":" in host else host


class SandboxServer:
    """The Canvas emulator over HTTP. `base_url` has no `/api/v1`."""

    def __init__(self, state: EmulatorState | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, token: str = "sandbox-token", state_file: Path | None = None,
                 latency_ms: float = 0, throttle: ThrottleConfig | None = None,
                 fail_rate: float = 0.0, fail_seed: int | None = None,
                 import_config: ImportConfig | None = None) -> None:
        self.state_file = Path(state_file) if state_file is not None else None
        self.state = state if state is not None else self._initial_state()
        if import_config is not None:
            self.state.import_config = import_config
        if self.state_file is not None:
            self.state.save(self.state_file)
        self.token = token
        faults = FaultInjector(fail_rate, fail_seed) if fail_rate > 0 else None
        self.app = SandboxApp(self.state, token=token, state_file=self.state_file,
                              latency_ms=latency_ms, throttle=throttle, faults=faults)
        self._httpd = _HTTPServer((host, port), self.app)
        self.host = host
        self.port = int(self._httpd.server_address[1])
        self.base_url = f"http://{reachable_host(host)}:{self.port}"
        self._thread: threading.Thread | None = None

    def _initial_state(self) -> EmulatorState:
        if self.state_file is not None and self.state_file.exists():
            return EmulatorState.load(self.state_file)
        return seed_demo_state()

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="canvas-sandbox",
                                            daemon=True)
            self._thread.start()
        return self

    def _serve(self) -> None:
        # Ctrl-C is for the main thread (the CLI's prompt, in the demo); the request
        # threads this one starts inherit the block.
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        self._httpd.serve_forever(0.02)  # a short poll keeps stop() and test teardown fast

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def wait(self) -> None:
        """Block until `stop()` is called from elsewhere; Ctrl-C raises KeyboardInterrupt."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.2)  # short joins keep the main thread interruptible

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
