"""When and how long to wait before trying a Canvas request again.

Canvas facts relied on (docs/canvas-quirks.md):
- throttling is a leaky bucket per token (hwm 600 OSS / ~700 hosted, leaking 10 units/s);
  a full bucket needs ~5 s to drain below hwm, so back-off is in seconds, not milliseconds
  (Q-THROTTLE-BUCKET);
- a throttled response is 429 or a 403 "Rate Limit Exceeded", with no Retry-After, and was
  never executed, so even a POST may be retried after it (Q-THROTTLE-STATUS,
  Q-NO-RETRY-AFTER, Q-THROTTLED-NOT-RUN);
- `X-Rate-Limit-Remaining` (lower-case since 2024) is a back-pressure signal: when it runs
  low, pause long enough for the bucket to leak back above the low-water mark
  (Q-RATE-REMAINING);
- 5xx and transport failures are transient (Q-SERVER-ERRORS). GET, PUT (members[] is a full
  replace) and DELETE (soft delete) are idempotent and retried (Q-IDEMPOTENT-VERBS); a POST
  that may have run is not: group names are not unique and Canvas has no idempotency key
  (Q-NO-IDEMPOTENCY).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from reconciler.errors import CanvasError, CanvasThrottledError

Verdict = Literal["retry", "ambiguous", "fail"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter, bounded by attempts and by total sleep (`budget`).

    delay(n) = min(max_delay, max(base_delay * 2**(n-1), floor) * (1 + jitter * random()))
    where floor is `throttle_delay` after a throttle response and Retry-After if sent.
    """

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    budget: float = 120.0
    jitter: float = 0.25
    throttle_delay: float = 5.0
    low_water: float = 100.0
    leak_rate: float = 10.0
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def backoff(self, attempt: int, *, throttled: bool = False,
                retry_after: float | None = None) -> float:
        """Seconds to sleep after failed attempt number `attempt` (1-based)."""
        delay = self.base_delay * 2.0 ** (attempt - 1)
        if throttled:
            delay = max(delay, self.throttle_delay)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(self.max_delay, delay * (1 + self.jitter * self.random()))

    def pressure_delay(self, remaining: float | None) -> float:
        """Pre-emptive pause when X-Rate-Limit-Remaining is below `low_water`: the time the
        bucket needs to leak back up to it."""
        if remaining is None or remaining >= self.low_water:
            return 0.0
        return min(self.max_delay, (self.low_water - remaining) / self.leak_rate)


NO_RETRY = RetryPolicy(max_attempts=1)


def decide(method: str, error: CanvasError, *, maybe_executed: bool) -> Verdict:
    """What to do with a failed attempt.

    `maybe_executed` is False only when the request certainly never reached Canvas
    (a connect timeout).
    """
    if isinstance(error, CanvasThrottledError):
        return "retry"
    transient = error.status is None or error.status >= 500
    if not transient:
        return "fail"
    if method.upper() == "POST" and maybe_executed:
        return "ambiguous"
    return "retry"


def parse_float(value: str | None) -> float | None:
    """A header value as a float, or None when absent or unreadable."""
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class Wait:
    """A pause the client is about to make, for whoever shows progress: a throttled answer
    or a failed attempt it will retry (`retry` of `retries`), the rate limit running low, or
    a Canvas job (a Progress) still running after `elapsed` seconds."""

    reason: Literal["throttled", "retry", "low", "job"]
    seconds: float
    retry: int = 0
    retries: int = 0
    cause: str = ""  # what failed, for "retry" (no query string, no token); the job, for "job"
    completion: float = 0.0  # the job's percent done, for "job"
    elapsed: float = 0.0  # seconds waited for the job so far, for "job"

    def message(self) -> str:
        wait = f"{self.seconds:.0f} s" if self.seconds >= 1 else f"{self.seconds:.1f} s"
        count = f"(retry {self.retry} of {self.retries})"
        if self.reason == "throttled":
            return f"Canvas is throttling; waiting {wait} {count}"
        if self.reason == "retry":
            return f"Canvas did not answer ({self.cause}); retrying in {wait} {count}"
        if self.reason == "job":
            done = f"{self.completion:.0f}% done" if self.completion > 0 else "still running"
            return f"Waiting for Canvas to finish {self.cause}: {done} after {self.elapsed:.0f} s"
        return f"Canvas's rate limit is running low; pausing {wait}"
