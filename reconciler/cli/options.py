"""Options several commands share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.guards import DEFAULT_LIMITS, Limits

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = click.Choice(["text", "json", "markdown"])
EXISTING = click.Path(exists=True, path_type=Path)  # a file or a directory


def limit_options(func: F) -> F:
    """--max-removal-pct / --max-delete-pct: the run's removal thresholds (docs/safety.md)."""
    func = click.option("--max-delete-pct", type=click.FloatRange(0, 100), metavar="PCT",
                        default=DEFAULT_LIMITS.max_delete_pct, show_default=True,
                        help="Refuse deleting more than this share of a set's groups "
                             "(sets of 8+ groups; a set's guards: win).")(func)
    return click.option("--max-removal-pct", type=click.FloatRange(0, 100), metavar="PCT",
                        default=DEFAULT_LIMITS.max_removal_pct, show_default=True,
                        help="Refuse ending more than this share of a set's memberships "
                             "(sets of 20+; a set's guards: win).")(func)


def limits(max_removal_pct: float, max_delete_pct: float) -> Limits:
    return Limits(max_removal_pct=max_removal_pct, max_delete_pct=max_delete_pct)


def bulk_option(func: F) -> F:
    return click.option("--no-bulk", "no_bulk", is_flag=True,
                        help="Never use Canvas's group-set CSV import; write members group "
                             "by group.")(func)


def group_set_option(func: F) -> F:
    return click.option("--group-set", "group_sets", multiple=True, metavar="NAME",
                        help="Plan and apply only this group set of each spec (repeat for "
                             "more); the others are left as they are.")(func)


def only(group_sets: tuple[str, ...]) -> frozenset[str] | None:
    return frozenset(group_sets) if group_sets else None
