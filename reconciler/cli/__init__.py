"""The command line: thin commands that call engine and print what it returns. The only
package that imports click.

`app` holds the root command (global options, exit codes, the traceback guard), `failures`
how errors are shown, `terminal` what a terminal adds (colour, progress, waits); one module
per family of commands registers them on the root.
"""

from reconciler.cli import (  # noqa: F401  (importing them registers the commands)
    commands_apply,
    commands_other,
    commands_plan,
    commands_sandbox,
)
from reconciler.cli.app import cli


def main() -> None:
    cli(prog_name="reconciler")


__all__ = ["cli", "main"]
