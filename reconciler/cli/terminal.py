"""What a terminal adds, and only a terminal: colours, a live progress line during a long
apply, and a word when the client waits for Canvas.

Colours only where the stream is a terminal, never with NO_COLOR (any non-empty value) or
--no-color. The progress line is drawn on stderr and only when stderr is a terminal; the
lines that go to stdout are the same with or without it.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

import click

from reconciler.canvas.pool import leave_sigint_to_main
from reconciler.canvas.retry import Wait
from reconciler.render.text import RED, RESET, YELLOW

GREEN = "\x1b[32m"
HANDFUL = 5  # applies of more operations than this get the live progress line
LOW_PAUSE_SHOWN = 1.0  # back-pressure pauses shorter than this are not worth a line
STATUS_COLORS = {"done": GREEN, "failed": RED, "skipped": YELLOW}


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Terminal:
    """One per run: every line that may share the screen with the progress line goes
    through it."""

    def __init__(self, *, no_color: bool = False, verbose: int = 0) -> None:
        allowed = not no_color and not os.environ.get("NO_COLOR")
        self.color_out = allowed and _is_terminal(sys.stdout)
        self.color_err = allowed and _is_terminal(sys.stderr)
        self.interactive = _is_terminal(sys.stderr)
        self.verbose = verbose
        self._lock = threading.RLock()
        self._live: LiveStatus | None = None

    @staticmethod
    def current() -> Terminal:
        """The run's terminal (from the click context), or a plain one."""
        ctx = click.get_current_context(silent=True)
        obj = ctx.find_root().obj if ctx is not None else None
        made = getattr(obj, "terminal", None)
        return made() if callable(made) else Terminal()

    # -- lines -------------------------------------------------------------------------

    def line(self, text: str = "") -> None:
        """A line of the command's output (stdout)."""
        self._print(text, err=False)

    def notice(self, text: str) -> None:
        """A line about the run (stderr): a wait, an interrupt."""
        self._print(text, err=True)

    def error(self, message: str) -> None:
        head = f"{RED}Error:{RESET}" if self.color_err else "Error:"
        self._print(f"{head} {message}", err=True)

    def paint(self, text: str, color: str) -> str:
        return f"{color}{text}{RESET}" if self.color_out else text

    def status_word(self, status: str) -> str:
        """`done` / `failed` / `skipped`, padded, coloured on a terminal."""
        return self.paint(f"{status:<7}", STATUS_COLORS.get(status, ""))

    def _print(self, text: str, *, err: bool) -> None:
        with self._lock:
            if self._live is not None:
                self._live.clear()
            click.echo(text, err=err)
            if self._live is not None:
                self._live.draw()

    # -- waits and progress ---------------------------------------------------------------

    def wait_notice(self) -> Callable[[Wait], None] | None:
        """For CanvasClient(on_wait=...): say so when the client waits for Canvas, on a
        terminal at default verbosity (-v logs the same waits)."""
        if not self.interactive or self.verbose:
            return None

        def notice(wait: Wait) -> None:
            if wait.reason != "low" or wait.seconds >= LOW_PAUSE_SHOWN:
                self.notice(wait.message())
        return notice

    def start_progress(self, total: int) -> None:
        """Show `[done/total] elapsed  current operation` on stderr, if worth it."""
        if self.interactive and total > HANDFUL and self._live is None:
            self._live = LiveStatus(total, self._lock)
            self._live.start()

    def advance(self, current: str) -> None:
        if self._live is not None:
            self._live.advance(current)

    def stop_progress(self) -> None:
        with self._lock:
            live, self._live = self._live, None
        if live is not None:
            live.stop()


class LiveStatus:
    """The progress line, redrawn in place every second and after each operation."""

    def __init__(self, total: int, lock: threading.RLock, stream: TextIO | None = None) -> None:
        self.total, self.done, self.current = total, 0, ""
        self._lock = lock
        self._stream = stream or sys.stderr
        self._started = time.monotonic()
        self._stopping = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True,
                                        name="reconciler-progress")

    def start(self) -> None:
        self._ticker.start()
        with self._lock:
            self.draw()

    def advance(self, current: str) -> None:
        with self._lock:
            self.done += 1
            self.current = current
            self.draw()

    def stop(self) -> None:
        self._stopping.set()
        self._ticker.join(timeout=2)
        with self._lock:
            self.clear()

    def text(self) -> str:
        seconds = int(time.monotonic() - self._started)
        head = f"[{self.done}/{self.total}] {seconds // 60}:{seconds % 60:02d}"
        width = shutil.get_terminal_size((80, 24)).columns - 1
        return f"{head}  {self.current}"[:width] if self.current else head[:width]

    def draw(self) -> None:
        self._stream.write(f"\r\x1b[K{self.text()}")
        self._stream.flush()

    def clear(self) -> None:
        self._stream.write("\r\x1b[K")
        self._stream.flush()

    def _tick(self) -> None:
        leave_sigint_to_main()
        while not self._stopping.wait(1.0):
            with self._lock:
                self.draw()
