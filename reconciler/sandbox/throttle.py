"""Canvas's leaky-bucket request throttle (Q-THROTTLE-BUCKET, Q-THROTTLE-STATUS,
Q-NO-RETRY-AFTER, Q-RATE-REMAINING; docs/canvas-quirks.md).

One bucket per access token (else per client address). Each request first reserves the
up-front cost (50); if the bucket is then at or above the high-water mark (600) it is
rejected, and the reservation refunded. Otherwise, when it finishes, `cost - up_front` is
added (refunding the reservation). The bucket leaks `outflow` (10) units per second and is
clamped to [0, maximum (800)]. Headers: `X-Request-Cost` (omitted when throttled) and
`X-Rate-Limit-Remaining` = hwm - count, as float strings. Throttled: 403 text/plain
"403 Forbidden (Rate Limit Exceeded)\\n" (OSS) or 429 (hosted since 2025-10); no Retry-After.
request_throttle.rb writes the body as the code, Rack's reason phrase for it and "(Rate
Limit Exceeded)"; the emulator applies that template to 429 too, giving "429 Too Many
Requests (Rate Limit Exceeded)\\n" (the hosted 429 body itself was not seen).

Real Canvas measures CPU and DB seconds, typically well under 1 unit per API call
(Q-THROTTLE-COST); the emulator charges a deterministic cost instead: GET 0.1 + 0.001 per
item returned (a 100-item page costs 0.2), writes 0.3. docs/emulator.md gives the reasoning.
Every figure is a ThrottleConfig field; tests that need a full bucket set their own costs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus


@dataclass(frozen=True)
class ThrottleConfig:
    hwm: float = 600.0
    maximum: float = 800.0
    outflow: float = 10.0  # units per second
    up_front: float = 50.0
    get_cost: float = 0.1
    per_item_cost: float = 0.001
    write_cost: float = 0.3
    status: int = 403  # or 429
    enabled: bool = True  # False: account and send headers, never reject
    clock: Callable[[], float] | None = field(default=None, compare=False)

    def cost(self, method: str, items: int) -> float:
        if method == "GET":
            return self.get_cost + self.per_item_cost * items
        return self.write_cost

    def body(self) -> bytes:
        """`<status> <reason phrase> (Rate Limit Exceeded)\\n`; Python's phrases for 403 and
        429 are Rack's ("Forbidden", "Too Many Requests")."""
        return f"{self.status} {HTTPStatus(self.status).phrase} (Rate Limit Exceeded)\n".encode()


@dataclass
class _Bucket:
    count: float
    touched: float


class Throttle:
    """Thread-safe buckets keyed by client identity."""

    def __init__(self, config: ThrottleConfig) -> None:
        self.config = config
        self._clock = config.clock or time.monotonic
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def reserve(self, identity: str) -> bool:
        """Add the up-front cost; False when the request must be rejected."""
        count = self._increment(identity, self.config.up_front)
        if count >= self.config.hwm and self.config.enabled:
            self._increment(identity, -self.config.up_front)
            return False
        return True

    def settle(self, identity: str, cost: float) -> None:
        self._increment(identity, cost - self.config.up_front)

    def remaining(self, identity: str) -> float:
        with self._lock:
            bucket = self._leaked(identity)
            return self.config.hwm - bucket.count

    def _increment(self, identity: str, amount: float) -> float:
        with self._lock:
            bucket = self._leaked(identity)
            bucket.count = min(max(bucket.count + amount, 0.0), self.config.maximum)
            return bucket.count

    def _leaked(self, identity: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.setdefault(identity, _Bucket(0.0, now))
        bucket.count = max(bucket.count - self.config.outflow * (now - bucket.touched), 0.0)
        bucket.touched = now
        return bucket


def header_float(value: float) -> str:
    """Float string as Ruby prints it, e.g. "599.68" or "1.0"."""
    return repr(round(value, 6))
