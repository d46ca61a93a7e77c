"""The root command: global options (before or after the command), exit codes, and the
guard that keeps a Python traceback from ever reaching a user.

Exit codes (docs/cli.md): 0 success or no changes; 2 changes present (only with
--detailed-exitcode); 1 every error, usage errors included (click's own would be 2, which
a drift check would read as "changes").
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.canvas.client import CanvasClient
from reconciler.canvas.pool import DEFAULT_CONCURRENCY
from reconciler.cli.failures import EXIT_ERROR, report_crash
from reconciler.cli.terminal import Terminal
from reconciler.config import read_token
from reconciler.errors import ConfigError
from reconciler.version import __version__

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliState:
    """The global options, wherever on the command line they were given."""

    canvas_url: str | None = None
    token_file: Path | None = None
    verbose: int = 0
    concurrency: int = DEFAULT_CONCURRENCY
    no_color: bool = False
    _terminal: Terminal | None = field(default=None, repr=False)

    def terminal(self) -> Terminal:
        """The run's one Terminal, made when first needed (after every option is read)."""
        if self._terminal is None:
            self._terminal = Terminal(no_color=self.no_color, verbose=self.verbose)
        return self._terminal

    def client(self) -> CanvasClient:
        if not self.canvas_url:
            raise ConfigError("no Canvas URL: set CANVAS_BASE_URL or pass --canvas-url")
        return CanvasClient(self.canvas_url, read_token(self.token_file),
                            concurrency=self.concurrency,
                            on_wait=self.terminal().wait_notice())


class ReconcilerGroup(click.Group):
    """click.Group whose standalone run maps every failure to exit 1 and prints no
    traceback: usage errors (click's 2), Ctrl-C (click's "Aborted!") and, as a last
    resort, an unexpected exception (written to a private crash file instead)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        def run() -> Any:
            return super(ReconcilerGroup, self).main(args, prog_name, complete_var,
                                                     standalone_mode=False, **extra)
        if not standalone_mode:
            return run()
        try:
            code = run()
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # the last line of defence: never a traceback
            report_crash(exc)
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else 0)


def _state(ctx: click.Context) -> CliState:
    state = ctx.find_object(CliState)
    if state is None:  # a subcommand invoked on its own (tests)
        state = ctx.ensure_object(CliState)
    return state


def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """A global option given after the command: it overrides the one before."""
    if param.name is None or \
            ctx.get_parameter_source(param.name) is not click.core.ParameterSource.COMMANDLINE:
        return
    state = _state(ctx)
    if param.name == "verbose":
        state.verbose += value
        configure_logging(state.verbose)
    else:
        setattr(state, param.name, value)


def _global_decls(envvars: bool) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    url_env = {"envvar": "CANVAS_BASE_URL"} if envvars else {}
    return [
        (("--canvas-url",), {**url_env, "metavar": "URL",
                             "help": "Canvas root URL, e.g. https://canvas.example.edu "
                                     "[env CANVAS_BASE_URL]."}),
        (("--token-file",), {"type": click.Path(dir_okay=False, path_type=Path),
                             "help": "Read the API token from this file (not readable by "
                                     "others). Default: the CANVAS_API_TOKEN variable."}),
        (("-v", "--verbose"), {"count": True, "help": "Log to stderr: -v retries and "
                                                      "rate-limit pauses, -vv every request."}),
        (("--concurrency",), {"type": click.IntRange(1, 32), "metavar": "N",
                              "default": None if not envvars else DEFAULT_CONCURRENCY,
                              "help": f"At most N requests in flight (default "
                                      f"{DEFAULT_CONCURRENCY}; the limit adapts to Canvas's "
                                      "throttle below it); 1 sends one at a time."}),
        (("--no-color",), {"is_flag": True, "help": "No colours, even on a terminal "
                                                    "(also: the NO_COLOR variable)."}),
    ]


def global_options(func: F) -> F:
    """The root's options, accepted after a command too (`plan x.yaml --token-file t`)."""
    for decls, extra in reversed(_global_decls(envvars=False)):
        func = click.option(*decls, expose_value=False, callback=_set_global,
                            **extra)(func)
    return func


def _root_options(func: F) -> F:
    for decls, extra in reversed(_global_decls(envvars=True)):
        func = click.option(*decls, **extra)(func)
    return func


@click.group(cls=ReconcilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@_root_options
@click.pass_context
def cli(ctx: click.Context, canvas_url: str | None, token_file: Path | None, verbose: int,
        concurrency: int, no_color: bool) -> None:
    """Keep Canvas group sets, groups and memberships in line with a YAML spec."""
    configure_logging(verbose)
    ctx.obj = CliState(canvas_url, token_file, verbose, concurrency, no_color)


def state_of(ctx: click.Context) -> CliState:
    return _state(ctx)


def configure_logging(verbose: int) -> None:
    """Requests are logged by method, path and status only: never a query, body or token."""
    logger = logging.getLogger("reconciler")
    for handler in [h for h in logger.handlers if getattr(h, "reconciler_cli", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.reconciler_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))
