"""Where the Canvas URL and token come from. The token is read, never printed or stored."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reconciler.errors import ConfigError

TOKEN_ENV = "CANVAS_API_TOKEN"


def read_token(token_file: Path | None) -> str:
    """The token from --token-file, else from CANVAS_API_TOKEN. Never from the command line."""
    if token_file is not None:
        return _token_from_file(token_file)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ConfigError(f"no Canvas API token: set {TOKEN_ENV} or pass --token-file")
    return token


def _token_from_file(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"cannot read token file {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"token file {path} is readable by other users (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise ConfigError(f"token file {path} is empty")
    return token
