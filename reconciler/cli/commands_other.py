"""`validate`, `export`, `schema` and `demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reconciler import engine
from reconciler.cli.app import cli, global_options, state_of
from reconciler.cli.failures import EXIT_ERROR, reports_errors
from reconciler.cli.options import EXISTING
from reconciler.cli.paths import spec_files
from reconciler.cli.terminal import Terminal
from reconciler.errors import ConfigError, ReconcilerError, SpecError
from reconciler.model import MEMBER_KINDS


@cli.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=EXISTING)
@click.option("--online", is_flag=True,
              help="Also resolve every member against the course roster in Canvas (reads only).")
@global_options
@click.pass_context
@reports_errors
def validate(ctx: click.Context, paths: tuple[Path, ...], online: bool) -> None:
    """Check spec files (or directories of them): YAML, schema and semantic rules, and
    identities with --online."""
    state = state_of(ctx)
    terminal = state.terminal()
    specs = spec_files(paths)
    client = state.client() if online else None
    failed = 0
    for path in specs:
        try:
            if client is None:
                engine.validate(path)
            else:
                engine.validate_online(path, client)
        except SpecError as exc:  # its lines name the file, line and field already
            failed += 1
            terminal.notice(exc.message)
            continue
        except ReconcilerError as exc:
            failed += 1
            terminal.error(f"{path}: {exc.message}")
            continue
        terminal.line(f"{path}: valid" + (" (members resolved in Canvas)" if client else ""))
    if failed:
        if len(specs) > 1:
            terminal.notice(f"{failed} of {len(specs)} spec files are not valid.")
        sys.exit(EXIT_ERROR)


@cli.command()
@click.option("--course", required=True, help="Canvas course id or sis_course_id:X.")
@click.option("--members-by", type=click.Choice(MEMBER_KINDS),
              default="login_id", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spec here instead of standard output.")
@global_options
@click.pass_context
@reports_errors
def export(ctx: click.Context, course: str, members_by: str, output: Path | None) -> None:
    """Write a course's current group sets as a spec (planning it shows no changes)."""
    course_ref: int | str = int(course) if course.isdigit() else course
    text = engine.export(state_of(ctx).client(), course_ref, members_by)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror or exc}") from None
    Terminal.current().notice(f"Wrote {output}.")


@cli.command()
@global_options
def schema() -> None:
    """Print the JSON Schema of the spec file (for editors' YAML language servers)."""
    from reconciler.spec import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


@cli.command()
@global_options
@reports_errors
def demo() -> None:
    """Run plan → apply → plan on a bundled spec against an in-process emulator."""
    from reconciler.demo import run_demo

    run_demo(click.echo)
