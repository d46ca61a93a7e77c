"""Deterministic fault injection (the "reliability" knobs).

With `fail_rate` r and `fail_seed` s, every request draws two numbers from one seeded RNG, in
arrival order: whether it fails (p = r) and how. The kinds model what users of Canvas sync
tools report (Q-SERVER-ERRORS, Q-NO-IDEMPOTENCY; docs/canvas-quirks.md): a 500 with Canvas's
JSON body, a 502/503 with an HTML body from the hosting edge, a dropped connection, and a
write that happened but whose response was lost. The same seed and request sequence give the
same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

ERROR_500 = "error_500"
BAD_GATEWAY = "bad_gateway_502"
UNAVAILABLE = "unavailable_503"
DROP = "drop_connection"
RESPONSE_LOST = "response_lost"
ALL_KINDS = (ERROR_500, BAD_GATEWAY, UNAVAILABLE, DROP, RESPONSE_LOST)
# Faults decided before the request reaches the application.
BEFORE_APP = frozenset({ERROR_500, BAD_GATEWAY, UNAVAILABLE, DROP})
HTML_STATUS = {BAD_GATEWAY: (502, "Bad Gateway"), UNAVAILABLE: (503, "Service Unavailable")}


@dataclass
class FaultInjector:
    rate: float
    seed: int | None = None
    kinds: tuple[str, ...] = ALL_KINDS
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self) -> str | None:
        """The fault for the next request, or None."""
        if self.rate <= 0:
            return None
        with self._lock:
            roll = self._rng.random()
            kind = self._rng.choice(self.kinds)
        return kind if roll < self.rate else None


def html_error(kind: str) -> tuple[int, bytes]:
    status, reason = HTML_STATUS[kind]
    title = f"{status} {reason}"
    page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n")
    return status, page.encode()
