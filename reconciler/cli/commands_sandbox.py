"""`sandbox serve`: the Canvas emulator as a server, for trying specs by hand."""

from __future__ import annotations

import errno
from pathlib import Path

import click

from reconciler.cli.app import cli, global_options
from reconciler.cli.failures import reports_errors
from reconciler.cli.terminal import Terminal
from reconciler.errors import ConfigError

DEFAULT_SANDBOX_TOKEN = "sandbox-token"  # the emulator's made-up token, not a Canvas secret
EVERY_INTERFACE = ("", "0.0.0.0", "::")


@cli.group()
def sandbox() -> None:
    """The built-in Canvas emulator."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface, reached here on "
                   "127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="0 picks a free port.")
@click.option("--token", default=DEFAULT_SANDBOX_TOKEN, show_default=True,
              help="The bearer token the emulator accepts (a made-up one, never a real token).")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Persist the emulated Canvas here, so separate runs see the same course.")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0, show_default=True)
@click.option("--throttle", is_flag=True, help="Enable Canvas's leaky-bucket rate limiter.")
@click.option("--throttle-status", type=click.Choice(["403", "429"]), default="403",
              show_default=True)
@click.option("--fail-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Fraction of requests that fail (500s, dropped connections, lost "
                   "responses), from 0 to 1.")
@click.option("--fail-seed", type=int, default=None)
@click.option("--import-duration", type=click.FloatRange(min=0), default=0.2,
              show_default=True, help="Seconds a group-set CSV import job runs.")
@click.option("--import-fail-next", type=click.IntRange(min=0), default=0, show_default=True,
              help="The next N CSV imports fail, as Canvas's 'Unexpected error' does.")
@click.option("--import-stall", is_flag=True,
              help="CSV imports never finish (a stuck job queue).")
@global_options
@reports_errors
def serve(host: str, port: int, token: str, state_file: Path | None, latency_ms: float,
          throttle: bool, throttle_status: str, fail_rate: float, fail_seed: int | None,
          import_duration: float, import_fail_next: int, import_stall: bool) -> None:
    """Serve the Canvas emulator; prints its base URL on the first line."""
    from reconciler.sandbox import ImportConfig, SandboxServer, ThrottleConfig
    from reconciler.sandbox.persist import StateFileError

    throttle_cfg = ThrottleConfig(status=int(throttle_status)) if throttle else None
    jobs = ImportConfig(duration_s=import_duration, fail_next=import_fail_next,
                        stall=import_stall)
    try:
        server = SandboxServer(host=host, port=port, token=token, state_file=state_file,
                               latency_ms=latency_ms, throttle=throttle_cfg,
                               fail_rate=fail_rate, fail_seed=fail_seed, import_config=jobs)
    except StateFileError as exc:
        raise ConfigError(f"{exc}. Start without --state (the demo course), or with a new "
                          "file name") from None
    except OSError as exc:
        raise ConfigError(_listen_error(host, port, exc)) from None
    server.start()
    click.echo(server.base_url)
    _ready(server.base_url, token, host)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _listen_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"cannot listen on {host}:{port}: the port is already in use; pick another "
                "with --port, or --port 0 for a free one")
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def _ready(base_url: str, token: str, host: str) -> None:
    terminal = Terminal.current()
    shown = token if token == DEFAULT_SANDBOX_TOKEN else "<the --token value>"
    if host in EVERY_INTERFACE:
        terminal.notice("Listening on every interface: other machines can reach this "
                        "emulator (it holds made-up people only).")
    terminal.notice(f"Canvas emulator ready. Point reconciler at it with:\n"
                    f"  export CANVAS_BASE_URL={base_url} CANVAS_API_TOKEN={shown}\n"
                    "Stop with Ctrl-C.")
