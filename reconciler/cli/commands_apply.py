"""`apply`: one spec or saved plan, or many courses one after another."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from reconciler import engine
from reconciler.canvas.apply import OpOutcome
from reconciler.canvas.client import CanvasClient
from reconciler.cli.app import cli, global_options, state_of
from reconciler.cli.commands_plan import is_plan_file, read_plan
from reconciler.cli.failures import EXIT_ERROR, Cancelled, reports_errors, show_failure
from reconciler.cli.options import (
    EXISTING,
    bulk_option,
    group_set_option,
    limit_options,
    limits,
    only,
)
from reconciler.cli.paths import is_single_file, spec_files
from reconciler.cli.prompt import ask
from reconciler.cli.terminal import Terminal
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.interrupt import StopFlag
from reconciler.ops import Operation
from reconciler.plan import Plan
from reconciler.render import render
from reconciler.snapshot import DEFAULT_DIR
from reconciler.wording import plural

INTERRUPT_NOTICE = ("interrupt received: finishing the requests in flight "
                    "(press Ctrl-C again to stop at once)")


@cli.command()
@click.argument("targets", metavar="PATH...", nargs=-1, required=True, type=EXISTING)
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
@group_set_option
@global_options
@click.pass_context
@reports_errors
def apply(ctx: click.Context, targets: tuple[Path, ...], auto_approve: bool,
          allow_delete: bool, force: bool, saved_plan: Path | None, snapshot_dir: Path,
          max_removal_pct: float, max_delete_pct: float, no_bulk: bool,
          group_sets: tuple[str, ...]) -> None:
    """Make Canvas match the specs (or apply a saved plan file); then verify.

    PATH is a spec (YAML), a directory of specs, or a plan saved by `plan --out` (JSON).
    Given several courses, each is planned, confirmed and applied in turn; one that fails
    is reported and the others go on."""
    state = state_of(ctx)
    terminal = state.terminal()
    options = engine.ApplyOptions(allow_delete=allow_delete, force=force,
                                  limits=limits(max_removal_pct, max_delete_pct),
                                  snapshot_dir=snapshot_dir, bulk=not no_bulk,
                                  only_sets=only(group_sets))
    single = is_single_file(targets)
    specs = spec_files(targets)
    if not single and (saved_plan is not None or any(map(is_plan_file, specs))):
        raise click.UsageError("a saved plan is applied on its own: give one plan file "
                               "(or one spec with --plan)")
    client = state.client()
    with StopFlag(on_first=lambda: terminal.notice(INTERRUPT_NOTICE)) as stop:
        run = Run(client, options, terminal, stop, auto_approve)
        if single:
            run.one(specs[0], read_plan(saved_plan) if saved_plan else None)
        else:
            run.many(specs)


@dataclass
class Run:
    client: CanvasClient
    options: engine.ApplyOptions
    terminal: Terminal
    stop: StopFlag
    auto_approve: bool

    def one(self, target: Path, saved: Plan | None) -> None:
        """One course; a failure propagates (the command prints it)."""
        plan_file = read_plan(target) if is_plan_file(target) else None
        auto = self.auto_approve or saved is not None or plan_file is not None
        confirm = self._confirm(auto)
        try:
            if plan_file is not None:
                result = engine.apply_saved(plan_file, self.client, confirm=confirm,
                                            options=self.options, on_progress=self._progress,
                                            should_stop=self.stop.is_set)
            else:
                result = engine.apply(target, self.client, confirm=confirm,
                                      options=self.options, on_progress=self._progress,
                                      should_stop=self.stop.is_set, saved=saved)
        finally:
            self.terminal.stop_progress()
        if result is None:
            return
        if result.snapshot is not None:
            self.terminal.line(f"Snapshot of the sets before this apply: {result.snapshot} "
                               "(apply it to restore them).")
        done = result.report.counts()["done"]
        self.terminal.line(f"Apply complete: {plural(done, 'operation')} done. "
                           "Canvas matches the spec.")

    def many(self, specs: list[Path]) -> None:
        """Each course in turn; a failed or declined one is reported and the rest go on."""
        outcomes: dict[str, int] = {"applied": 0, "failed": 0, "declined": 0, "skipped": 0}
        for spec in specs:
            self.terminal.line(f"=== {spec} ===")
            if self.stop.is_set():
                self.terminal.line("Skipped: interrupted.")
                outcomes["skipped"] += 1
            else:
                outcomes[self._course(spec)] += 1
            self.terminal.line()
        parts = [f"{n} {what}" for what, n in outcomes.items() if n or what == "applied"]
        self.terminal.line(f"Total: {plural(len(specs), 'course')}: {', '.join(parts)}.")
        if outcomes["applied"] < len(specs):
            sys.exit(EXIT_ERROR)

    def _course(self, spec: Path) -> str:
        try:
            self.one(spec, None)
        except Cancelled:
            return "declined"
        except ReconcilerError as exc:
            show_failure(exc, self.terminal)
            return "failed"
        return "applied"

    def _confirm(self, auto: bool) -> Callable[[Plan], bool]:
        def confirm(plan: Plan) -> bool:
            self.terminal.line(render(plan, "text", color=self.terminal.color_out))
            if plan.is_empty:
                return False
            if not auto:
                self._ask()
            self.terminal.start_progress(len(plan.operations))
            return True
        return confirm

    def _ask(self) -> None:
        if not sys.stdin.isatty():
            raise ConfigError("apply asks for confirmation, but there is no terminal; "
                              "review the plan and re-run with --auto-approve")
        with self.stop.paused():  # Ctrl-C at the prompt aborts at once
            try:
                answer = ask("Do you want to apply these changes? Only 'yes' will be accepted")
            except click.Abort:
                self.terminal.line()
                self.terminal.line("Apply cancelled; nothing was written.")
                raise
        if answer != "yes":
            self.terminal.line("Apply cancelled; nothing was written.")
            raise Cancelled("apply cancelled")

    def _progress(self, op: Operation, outcome: OpOutcome) -> None:
        detail = f": {outcome.detail}" if outcome.detail and outcome.status != "done" else ""
        self.terminal.line(f"  {self.terminal.status_word(outcome.status)} "
                           f"{op.describe()}{detail}")
        self.terminal.advance(op.describe())
