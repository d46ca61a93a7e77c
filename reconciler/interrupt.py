"""Ctrl-C during apply: finish the requests in flight, then stop and report."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any


class StopFlag:
    """While active, the first SIGINT sets a flag (and calls `on_first`, to say so) instead
    of raising KeyboardInterrupt. A second SIGINT restores the default behaviour and
    interrupts at once. Inside `paused()` (a confirmation prompt), SIGINT interrupts as
    usual."""

    def __init__(self, on_first: Callable[[], None] | None = None) -> None:
        self._event = threading.Event()
        self._previous: Any = None
        self._installed = False
        self._on_first = on_first

    def is_set(self) -> bool:
        return self._event.is_set()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._event.set()
        signal.signal(signal.SIGINT, self._previous)
        if self._on_first is not None:
            self._on_first()

    def __enter__(self) -> StopFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
            if hasattr(signal, "pthread_sigmask"):  # a parent may have left it blocked
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """SIGINT behaves as it did before the flag was installed, until the block ends."""
        if not self._installed or self._event.is_set():
            yield
            return
        signal.signal(signal.SIGINT, self._previous)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, self._handle)
