"""The command line: thin commands that call engine and print what it returns.

The only module that imports click. Expected failures are ReconcilerErrors; they are
printed without a traceback and mapped to exit codes (docs/cli.md).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler import __version__, engine
from reconciler.canvas.apply import ApplyReport, OpOutcome
from reconciler.canvas.client import CanvasClient
from reconciler.canvas.pool import DEFAULT_CONCURRENCY
from reconciler.config import Settings, read_token
from reconciler.document import plan_from_dict
from reconciler.errors import (
    ApplyError,
    ConfigError,
    ReconcilerError,
    StalePlanError,
    UnsafePlanError,
)
from reconciler.guards import DEFAULT_LIMITS, Limits
from reconciler.interrupt import StopFlag
from reconciler.model import MEMBER_KINDS
from reconciler.ops import Operation
from reconciler.plan import Plan
from reconciler.render import render
from reconciler.snapshot import DEFAULT_DIR

EXIT_ERROR, EXIT_CHANGES = 1, 2
DEFAULT_SANDBOX_TOKEN = "sandbox-token"  # the emulator's made-up token, not a Canvas secret
F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Turn a ReconcilerError into a clear message on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ApplyError as exc:
            _echo_report(exc.report)
            _fail(exc)
        except (UnsafePlanError, StalePlanError) as exc:
            if exc.plan is not None:  # every refusal shows the plan it refused first
                click.echo(render(exc.plan, "text"))
            _fail(exc)
        except ReconcilerError as exc:
            _fail(exc)

    return wrapper  # type: ignore[return-value]


def _fail(exc: ReconcilerError) -> None:
    click.echo(f"Error: {exc.message}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.option("--canvas-url", envvar="CANVAS_BASE_URL", metavar="URL",
              help="Canvas root URL, e.g. https://canvas.example.edu [env CANVAS_BASE_URL].")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the API token from this file (must not be readable by others). "
                   "Default: the CANVAS_API_TOKEN environment variable.")
@click.option("-v", "--verbose", count=True,
              help="Log to stderr: -v retries and rate-limit pauses, -vv every request.")
@click.option("--concurrency", type=click.IntRange(1, 32), default=DEFAULT_CONCURRENCY,
              show_default=True, metavar="N",
              help="At most N requests in flight (the limit adapts to Canvas's throttle "
                   "below it); 1 sends one at a time.")
@click.pass_context
def cli(ctx: click.Context, canvas_url: str | None, token_file: Path | None,
        verbose: int, concurrency: int) -> None:
    """Keep Canvas group sets, groups and memberships in line with a YAML spec."""
    _configure_logging(verbose)
    ctx.obj = Settings(canvas_url=canvas_url, token_file=token_file, concurrency=concurrency)


def _configure_logging(verbose: int) -> None:
    """Requests are logged by method, path and status only: never a query, body or token."""
    logger = logging.getLogger("reconciler")
    for handler in [h for h in logger.handlers if getattr(h, "reconciler_cli", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.reconciler_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))


def _client(ctx: click.Context) -> CanvasClient:
    settings: Settings = ctx.obj
    if not settings.canvas_url:
        raise ConfigError("no Canvas URL: set CANVAS_BASE_URL or pass --canvas-url")
    return CanvasClient(settings.canvas_url, read_token(settings.token_file),
                        concurrency=settings.concurrency)


@cli.command()
@click.argument("specs", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--online", is_flag=True,
              help="Also resolve every member against the course roster in Canvas (reads only).")
@click.pass_context
@reports_errors
def validate(ctx: click.Context, specs: tuple[Path, ...], online: bool) -> None:
    """Check spec files: YAML, schema and semantic rules (and identities with --online)."""
    client = _client(ctx) if online else None
    failures: list[ReconcilerError] = []
    for path in specs:
        try:
            if client is None:
                engine.validate(path)
            else:
                engine.validate_online(path, client)
            click.echo(f"{path}: valid" + (" (members resolved in Canvas)" if client else ""))
        except ReconcilerError as exc:
            failures.append(exc)
            click.echo(exc.message, err=True)
    if failures:
        sys.exit(EXIT_ERROR)


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


def bulk_option(func: F) -> F:
    return click.option("--no-bulk", "no_bulk", is_flag=True,
                        help="Never use Canvas's group-set CSV import; write members group "
                             "by group.")(func)


def _limits(max_removal_pct: float, max_delete_pct: float) -> Limits:
    return Limits(max_removal_pct=max_removal_pct, max_delete_pct=max_delete_pct)


@cli.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes, 0 when there are none, 1 on error.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the plan (JSON, private to you) for `apply`, which runs "
                   "exactly it.")
@limit_options
@bulk_option
@click.pass_context
@reports_errors
def plan(ctx: click.Context, spec: Path, fmt: str, detailed_exitcode: bool,
         out: Path | None, max_removal_pct: float, max_delete_pct: float,
         no_bulk: bool) -> None:
    """Show what apply would change. Reads only."""
    result = engine.make_plan(spec, _client(ctx), _limits(max_removal_pct, max_delete_pct),
                              bulk=not no_bulk)
    click.echo(render(result.plan, fmt))  # type: ignore[arg-type]
    if out is not None:
        _write_private(out, render(result.plan, "json") + "\n")
        click.echo(f"Saved the plan to {out}; `reconciler apply {out}` applies exactly this "
                   "plan.", err=True)
    if detailed_exitcode and not result.plan.is_empty:
        sys.exit(EXIT_CHANGES)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read: plans and snapshots hold student ids."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        path.chmod(0o600)  # an existing file keeps its old mode through O_CREAT
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.command()
@click.argument("target", metavar="SPEC_OR_PLAN",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Apply without asking for 'yes'.")
@click.option("--allow-delete", is_flag=True,
              help="Permit deleting groups and group sets (destroys their content in Canvas).")
@click.option("--force", is_flag=True,
              help="Permit a plan over a removal threshold (never a protected set's deletion).")
@click.option("--plan", "saved_plan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A plan saved by `plan --out`: apply only if planning now gives exactly it.")
@click.option("--snapshot-dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_DIR, show_default=True,
              help="Where the snapshot of the sets about to change is saved before writing.")
@limit_options
@bulk_option
@click.pass_context
@reports_errors
def apply(ctx: click.Context, target: Path, auto_approve: bool, allow_delete: bool,
          force: bool, saved_plan: Path | None, snapshot_dir: Path, max_removal_pct: float,
          max_delete_pct: float, no_bulk: bool) -> None:
    """Make Canvas match a spec, or apply a saved plan file; then verify.

    SPEC_OR_PLAN is a spec (YAML) or a plan saved by `plan --out` (JSON)."""
    client = _client(ctx)
    options = engine.ApplyOptions(allow_delete=allow_delete, force=force,
                                  limits=_limits(max_removal_pct, max_delete_pct),
                                  snapshot_dir=snapshot_dir, bulk=not no_bulk)
    plan_file = _read_plan(target) if _is_plan_file(target) else None
    saved = _read_plan(saved_plan) if saved_plan else None
    confirm = _auto_yes if auto_approve or saved or plan_file else _ask_yes
    with StopFlag() as stop:
        if plan_file is not None:
            result = engine.apply_saved(plan_file, client, confirm=confirm, options=options,
                                        on_progress=_echo_progress, should_stop=stop.is_set)
        else:
            result = engine.apply(target, client, confirm=confirm, options=options,
                                  on_progress=_echo_progress, should_stop=stop.is_set,
                                  saved=saved)
    if result is None:
        return
    counts = result.report.counts()
    if result.snapshot is not None:
        click.echo(f"Snapshot of the sets before this apply: {result.snapshot} "
                   f"(apply it to restore them).")
    click.echo(f"Apply complete: {counts['done']} operations done. Canvas matches the spec.")


def _is_plan_file(path: Path) -> bool:
    """A plan file is JSON (a spec is YAML): recognised by its name or its first byte."""
    if path.suffix.lower() == ".json":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(64).lstrip().startswith(b"{\"")
    except OSError:
        return False


@cli.command()
@click.argument("saved", metavar="PLAN", type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@reports_errors
def show(saved: Path, fmt: str) -> None:
    """Render a plan saved by `plan --out`. Reads only the file."""
    click.echo(render(_read_plan(saved), fmt))  # type: ignore[arg-type]


def _read_plan(path: Path) -> Plan:
    try:
        return plan_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read the plan file {path}: {exc}") from None


def _auto_yes(plan: Plan) -> bool:
    click.echo(render(plan, "text"))
    return True


def _ask_yes(plan: Plan) -> bool:
    click.echo(render(plan, "text"))
    if plan.is_empty:
        return False
    if not sys.stdin.isatty():
        raise ConfigError("apply asks for confirmation, but there is no terminal; "
                          "review the plan and re-run with --auto-approve")
    answer = click.prompt("Do you want to apply these changes? Only 'yes' will be accepted",
                          default="", show_default=False)
    if answer != "yes":
        click.echo("Apply cancelled; nothing was written.")
        return False
    return True


def _echo_progress(op: Operation, outcome: OpOutcome) -> None:
    detail = f": {outcome.detail}" if outcome.detail and outcome.status != "done" else ""
    click.echo(f"  {outcome.status:<7} {op.describe()}{detail}")


def _echo_report(report: ApplyReport) -> None:
    click.echo("Apply report:", err=True)
    for line in report.lines():
        click.echo(f"  {line}", err=True)


@cli.command()
@click.option("--course", required=True, help="Canvas course id or sis_course_id:X.")
@click.option("--members-by", type=click.Choice(MEMBER_KINDS),
              default="login_id", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spec here instead of standard output.")
@click.pass_context
@reports_errors
def export(ctx: click.Context, course: str, members_by: str, output: Path | None) -> None:
    """Write a course's current group sets as a spec (planning it shows no changes)."""
    course_ref: int | str = int(course) if course.isdigit() else course
    text = engine.export(_client(ctx), course_ref, members_by)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the spec file (for editors' YAML language servers)."""
    from reconciler.spec import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


@cli.group()
def sandbox() -> None:
    """The built-in Canvas emulator."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--token", default=DEFAULT_SANDBOX_TOKEN, show_default=True,
              help="The bearer token the emulator accepts (a made-up one, never a real token).")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Persist the emulated Canvas here, so separate runs see the same course.")
@click.option("--latency-ms", type=float, default=0, show_default=True)
@click.option("--throttle", is_flag=True, help="Enable Canvas's leaky-bucket rate limiter.")
@click.option("--throttle-status", type=click.Choice(["403", "429"]), default="403",
              show_default=True)
@click.option("--fail-rate", type=float, default=0.0, show_default=True,
              help="Fraction of requests that fail (500s, dropped connections, lost responses).")
@click.option("--fail-seed", type=int, default=None)
@click.option("--import-duration", type=click.FloatRange(min=0), default=0.2,
              show_default=True, help="Seconds a group-set CSV import job runs.")
@click.option("--import-fail-next", type=click.IntRange(min=0), default=0, show_default=True,
              help="The next N CSV imports fail, as Canvas's 'Unexpected error' does.")
@click.option("--import-stall", is_flag=True,
              help="CSV imports never finish (a stuck job queue).")
def serve(host: str, port: int, token: str, state_file: Path | None, latency_ms: float,
          throttle: bool, throttle_status: str, fail_rate: float, fail_seed: int | None,
          import_duration: float, import_fail_next: int, import_stall: bool) -> None:
    """Serve the Canvas emulator; prints its base URL on the first line."""
    from reconciler.sandbox import ImportConfig, SandboxServer, ThrottleConfig

    throttle_cfg = ThrottleConfig(status=int(throttle_status)) if throttle else None
    jobs = ImportConfig(duration_s=import_duration, fail_next=import_fail_next,
                        stall=import_stall)
    server = SandboxServer(host=host, port=port, token=token, state_file=state_file,
                           latency_ms=latency_ms, throttle=throttle_cfg,
                           fail_rate=fail_rate, fail_seed=fail_seed, import_config=jobs)
    server.start()
    click.echo(server.base_url)
    shown = token if token == DEFAULT_SANDBOX_TOKEN else "<the --token value>"
    click.echo(f"Canvas emulator ready. Point reconciler at it with:\n"
               f"  export CANVAS_BASE_URL={server.base_url} CANVAS_API_TOKEN={shown}\n"
               "Stop with Ctrl-C.", err=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@cli.command()
@reports_errors
def demo() -> None:
    """Run plan → apply → plan on a bundled spec against an in-process emulator."""
    from reconciler.demo import run_demo

    run_demo(click.echo)


def main() -> None:
    cli(prog_name="reconciler")
