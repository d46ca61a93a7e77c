"""The confirmation prompt, read so that Ctrl-C always aborts it.

Python's input() has a race: a SIGINT that arrives after the prompt is written but before the
read blocks is noted by the C handler and never raised, and the read then waits for a line
(seen under load: `tests/e2e/test_terminal.py`, about 1 run in 12 with the cores busy). Here
the wait for a line is a select() with a timeout, so a noted Ctrl-C is raised within
POLL seconds. Where select() cannot wait on standard input (Windows), click's prompt is used.
"""

from __future__ import annotations

import os
import select
import sys

import click

POLL = 0.2  # seconds between checks for a pending Ctrl-C


def ask(question: str) -> str:
    """Show `question` and return the line typed (without its newline); click.Abort on
    Ctrl-C or end of input."""
    if os.name == "nt":
        return str(click.prompt(question, default="", show_default=False))
    try:  # a Ctrl-C from the moment the question shows is an Abort
        click.echo(f"{question}: ", nl=False)
        while not select.select([sys.stdin], [], [], POLL)[0]:
            pass
        line = sys.stdin.readline()
    except KeyboardInterrupt:
        raise click.Abort() from None
    if not line:
        raise click.Abort()
    return line.rstrip("\r\n")
