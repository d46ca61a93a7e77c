"""PATH... arguments: spec files, and directories holding them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

SPEC_SUFFIXES = (".yaml", ".yml")


def spec_files(paths: Sequence[Path]) -> list[Path]:
    """Each file as given; each directory's `*.yaml` / `*.yml` files below it, in sorted
    order, skipping hidden directories (.git, .reconciler). A directory with none is a
    usage error; a file named twice is planned once."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            below = _specs_below(path)
            if not below:
                raise click.BadParameter(f"no *.yaml or *.yml files under {path}",
                                         param_hint="PATH")
            found.extend(below)
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _specs_below(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*")
                  if p.suffix.lower() in SPEC_SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(directory).parts))


def is_single_file(paths: Sequence[Path]) -> bool:
    """One spec file named on its own: the output is that course's, as it always was."""
    return len(paths) == 1 and not paths[0].is_dir()
