"""One request through the emulator, independent of sockets.

Order (mirroring Canvas's middleware stack): throttle reservation → latency → injected
fault → route → due background jobs (jobs.run_due_jobs) → authenticate → handler (both
under the state lock) → write log + persist → throttle settlement and headers. Background
jobs cost the token nothing: the request that happens to run them pays its own cost only.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.sandbox import faults as fault_kinds
from reconciler.sandbox.entities import WriteEvent
from reconciler.sandbox.errors import (
    NOT_FOUND,
    ApiError,
    internal_error,
    invalid_token,
    unauthenticated,
)
from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.http import Request, parse_request
from reconciler.sandbox.jobs import run_due_jobs
from reconciler.sandbox.router import Ctx, Response, Route, Router
from reconciler.sandbox.routes import ALL_ROUTES
from reconciler.sandbox.state import EmulatorState
from reconciler.sandbox.throttle import Throttle, ThrottleConfig, header_float

log = logging.getLogger(__name__)
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Outcome:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the socket without answering
    items: int = 0  # list length, for the throttle cost


def json_outcome(status: int, body: Any, headers: dict[str, str] | None = None) -> Outcome:
    items = len(body) if isinstance(body, list) else 0
    return Outcome(status, json.dumps(body).encode(),
                   {"Content-Type": JSON_TYPE, **(headers or {})}, items=items)


def response_outcome(response: Response) -> Outcome:
    """A handler's Response on the wire: raw bytes as they are, anything else as JSON."""
    if isinstance(response.body, bytes):
        content_type = response.content_type or "application/octet-stream"
        return Outcome(response.status, response.body,
                       {"Content-Type": content_type, **response.headers})
    return json_outcome(response.status, response.body, response.headers)


class SandboxApp:
    def __init__(self, state: EmulatorState, *, token: str, state_file: Path | None = None,
                 latency_ms: float = 0, throttle: ThrottleConfig | None = None,
                 faults: FaultInjector | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.state = state
        self.token = token
        self.state_file = state_file
        self.latency_s = latency_ms / 1000
        self.throttle = Throttle(throttle or ThrottleConfig(enabled=False))
        self.faults = faults
        self.sleep = sleep
        self.router = Router(ALL_ROUTES)

    def handle_raw(self, method: str, target: str, headers: dict[str, str], body: bytes,
                   client: str) -> Outcome:
        try:
            request = parse_request(method, target, headers, body, client)
        except ApiError as error:
            return json_outcome(error.status, error.body, error.headers)
        return self.handle(request)

    def handle(self, request: Request) -> Outcome:
        identity = f"token:{request.token()}" if request.token() else f"ip:{request.client}"
        config = self.throttle.config
        if not self.throttle.reserve(identity):
            remaining = header_float(self.throttle.remaining(identity))
            return Outcome(config.status, config.body(),
                           {"Content-Type": "text/plain; charset=utf-8",
                            "X-Rate-Limit-Remaining": remaining})
        items = 0
        try:
            if self.latency_s > 0:
                self.sleep(self.latency_s)
            outcome = self._serve(request)
            items = outcome.items
        finally:  # the reservation is refunded even when the app fails
            cost = config.cost(request.method, items)
            self.throttle.settle(identity, cost)
        outcome.headers["X-Request-Cost"] = header_float(cost)
        outcome.headers["X-Rate-Limit-Remaining"] = header_float(self.throttle.remaining(identity))
        return outcome

    def _serve(self, request: Request) -> Outcome:
        fault = self.faults.draw() if self.faults else None
        match = self.router.match(request.method, request.path)
        if match is None:
            return json_outcome(404, NOT_FOUND)
        route, args = match
        if fault in fault_kinds.BEFORE_APP:
            outcome = self._fault_outcome(fault)
            self._log_write(request, route.kind, outcome, Ctx(self.state, request, args, ""),
                            fault)
            return outcome
        outcome = self._dispatch(request, route, args, fault)
        outcome.drop = fault == fault_kinds.RESPONSE_LOST
        return outcome

    def _dispatch(self, request: Request, route: Route, args: dict[str, str],
                  fault: str | None) -> Outcome:
        ctx = Ctx(self.state, request, args, f"http://{request.host}", kind=route.kind)
        with self.state.lock:
            jobs_ran = run_due_jobs(self.state)
            try:
                ctx.caller = self._authenticate(request)
                outcome = response_outcome(route.handler(ctx))
            except ApiError as error:
                outcome = json_outcome(error.status, error.body, error.headers)
            except Exception:
                log.exception("sandbox handler failed: %s %s", request.method, request.path)
                outcome = json_outcome(500, internal_error(self.state.next_error_report_id()))
            self._log_write(request, ctx.kind, outcome, ctx, fault)
            if jobs_ran and ctx.kind is None:
                self._save()  # a read that ran a job changed the state all the same
        return outcome

    def _authenticate(self, request: Request) -> int | None:
        """The caller's user id for a user token, None for the server's own token."""
        token = request.token()
        if not token:
            raise unauthenticated()
        if token == self.token:
            return None
        if token in self.state.user_tokens:
            return self.state.user_tokens[token]
        raise invalid_token()

    def _fault_outcome(self, fault: str | None) -> Outcome:
        if fault == fault_kinds.ERROR_500:
            return json_outcome(500, internal_error(self.state.next_error_report_id()))
        if fault == fault_kinds.DROP:
            return Outcome(0, b"", drop=True)
        status, page = fault_kinds.html_error(str(fault))
        return Outcome(status, page, {"Content-Type": "text/html"})

    def _log_write(self, request: Request, kind: str | None, outcome: Outcome, ctx: Ctx,
                   fault: str | None) -> None:
        if kind is None:
            return
        changes = ctx.changes
        event = WriteEvent(request.method, request.path, outcome.status, kind, dict(ctx.ids),
                           list(changes.added), list(changes.removed),
                           [list(pair) for pair in changes.moved_out], fault)
        with self.state.lock:
            self.state.write_log.append(event)
            self._save()

    def _save(self) -> None:
        if self.state_file is not None:
            self.state.save(self.state_file)
