"""`plan` (one spec, or many courses at once) and `show` (a saved plan)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from reconciler import engine
from reconciler.cli.app import cli, global_options, state_of
from reconciler.cli.failures import EXIT_CHANGES, EXIT_ERROR, reports_errors
from reconciler.cli.options import (
    EXISTING,
    FORMATS,
    bulk_option,
    group_set_option,
    limit_options,
    limits,
    only,
)
from reconciler.cli.paths import is_single_file, spec_files
from reconciler.cli.terminal import Terminal
from reconciler.document import plan_from_dict
from reconciler.errors import ConfigError
from reconciler.plan import Plan
from reconciler.render import render
from reconciler.render.many import Course, render_many


@cli.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=EXISTING)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes, 0 when there are none, 1 on error.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the plan (JSON, private to you) for `apply`, which runs "
                   "exactly it. One spec only.")
@limit_options
@bulk_option
@group_set_option
@global_options
@click.pass_context
@reports_errors
def plan(ctx: click.Context, paths: tuple[Path, ...], fmt: str, detailed_exitcode: bool,
         out: Path | None, max_removal_pct: float, max_delete_pct: float, no_bulk: bool,
         group_sets: tuple[str, ...]) -> None:
    """Show what apply would change. Reads only.

    PATH is a spec file or a directory of them (*.yaml, *.yml); given several, each
    course's plan is shown under its own heading, then a total."""
    state = state_of(ctx)
    terminal = state.terminal()
    specs = spec_files(paths)
    if out is not None and not is_single_file(paths):
        raise click.UsageError("--out saves the plan of one course: give one spec file")
    client = state.client()
    run_limits = limits(max_removal_pct, max_delete_pct)
    if is_single_file(paths):
        result = engine.make_plan(specs[0], client, run_limits, bulk=not no_bulk,
                                  only_sets=only(group_sets))
        terminal.line(render(result.plan, fmt, color=terminal.color_out))  # type: ignore[arg-type]
        if out is not None:
            write_private(out, render(result.plan, "json") + "\n")
            terminal.notice(f"Saved the plan to {out}; `reconciler apply {out}` applies "
                            "exactly this plan.")
        changed = not result.plan.is_empty
    else:
        courses = list(_courses(engine.plan_many(specs, client, run_limits, bulk=not no_bulk,
                                                 only_sets=only(group_sets))))
        terminal.line(render_many(courses, fmt, color=terminal.color_out))
        if any(c.plan is None for c in courses):
            sys.exit(EXIT_ERROR)
        changed = any(c.plan is not None and not c.plan.is_empty for c in courses)
    if detailed_exitcode and changed:
        sys.exit(EXIT_CHANGES)


def _courses(planned: Iterable[engine.CoursePlan]) -> Iterable[Course]:
    for course in planned:
        if course.error is not None:
            yield Course(str(course.path), error=course.error.message,
                         error_kind=type(course.error).__name__)
        else:
            yield Course(str(course.path), plan=course.plan)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read: plans and snapshots hold student ids."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        path.chmod(0o600)  # an existing file keeps its old mode through O_CREAT
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.command()
@click.argument("saved", metavar="PLAN", type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@global_options
@reports_errors
def show(saved: Path, fmt: str) -> None:
    """Render a plan saved by `plan --out`. Reads only the file."""
    terminal = Terminal.current()
    terminal.line(render(read_plan(saved), fmt, color=terminal.color_out))  # type: ignore[arg-type]


def read_plan(path: Path) -> Plan:
    try:
        return plan_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read the plan file {path}: {exc}") from None


def is_plan_file(path: Path) -> bool:
    """A plan file is JSON (a spec is YAML): recognised by its name or its first byte."""
    if path.suffix.lower() == ".json":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(64).lstrip().startswith(b"{\"")
    except OSError:
        return False
