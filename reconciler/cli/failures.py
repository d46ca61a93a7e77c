"""How failures reach the user: an expected one (a ReconcilerError) as one clear message
and its exit code; an unexpected one as a short apology and a private crash file, never a
traceback on the terminal."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.cli.terminal import Terminal
from reconciler.errors import ReconcilerError, StalePlanError, UnsafePlanError
from reconciler.render import render
from reconciler.version import __version__

EXIT_ERROR, EXIT_CHANGES = 1, 2
F = TypeVar("F", bound=Callable[..., Any])


class Cancelled(ReconcilerError):
    """The user declined the confirmation (or pressed Ctrl-C at it): nothing was written."""


def reports_errors(func: F) -> F:
    """Turn a ReconcilerError into a clear message on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ReconcilerError as exc:
            show_failure(exc, Terminal.current())
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def show_failure(exc: ReconcilerError, terminal: Terminal) -> None:
    """What a failure shows: a refused plan, then the message. An apply's report is not
    repeated: each operation's line was printed as it finished, and the message counts
    them."""
    if isinstance(exc, UnsafePlanError | StalePlanError) and exc.plan is not None:
        click.echo(render(exc.plan, "text", color=terminal.color_out))  # the refused plan
    if not isinstance(exc, Cancelled):  # the prompt already said so
        terminal.error(exc.message)


def report_crash(exc: BaseException) -> None:
    """Write the traceback where only this user can read it, and say where."""
    path = _crash_file()
    text = (f"reconciler {__version__}, Python {sys.version.split()[0]}\n"
            + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        where = f"The details are in {path} (readable only by you)."
    except OSError:
        where = "The details could not be saved."
    Terminal.current().error(
        f"reconciler hit an unexpected internal error ({type(exc).__name__}). This is a bug: "
        f"please report it with the command you ran. {where} Nothing more was written to "
        "Canvas after the error; re-running plan shows what, if anything, is left.")


def _crash_file() -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return Path(tempfile.gettempdir()) / f"reconciler-crash-{stamp}-{os.getpid()}.log"
