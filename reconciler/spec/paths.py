"""Where a spec may read files from: relative paths that stay inside its repository.

The repository is the nearest ancestor of the spec's directory that holds `.git`, else the
spec's directory itself. Paths are resolved (symlinks followed) before the check, so a
link pointing outside is refused like `../`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath


def repository_root(base: Path) -> Path:
    """The nearest directory from `base` upwards that contains `.git`, else `base`."""
    start = base.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def confine(base: Path, written: str) -> Path | str:
    """The file `written` names (relative to `base`), or why it may not be read."""
    if not written.strip():
        return "the file name is empty"
    if PurePath(written).is_absolute() or written.startswith(("~", "\\")):
        return f"{written!r} is an absolute path; write it relative to the spec file"
    root = repository_root(base)
    try:
        target = (base / written).resolve()
    except (OSError, ValueError) as exc:  # a NUL byte, a name or path too long for the OS
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"{written[:60]!r} is not a usable file name ({reason})"
    if not target.is_relative_to(root):
        return (f"{written!r} leads outside the spec's repository ({root.name}/); roster "
                "files must live beside the spec")
    return target


def shown(spec_filename: str, written: str) -> str:
    """How messages name a roster file: its path as seen from where the spec was named."""
    return os.path.normpath(PurePath(spec_filename).parent / written)
