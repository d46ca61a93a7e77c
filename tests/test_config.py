"""Where the token comes from, and where it may not."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import TOKEN_ENV, read_token
from reconciler.errors import ConfigError


def test_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "  env-token-value \n")
    assert read_token(None) == "env-token-value"


def test_missing_token_says_how_to_provide_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(ConfigError, match="CANVAS_API_TOKEN"):
        read_token(None)


def test_private_token_file_wins_over_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "from-env")
    path = tmp_path / "token"
    path.write_text("from-file\n", encoding="utf-8")
    path.chmod(0o600)
    assert read_token(path) == "from-file"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_token_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "token"
    path.write_text("secret-in-a-shared-file", encoding="utf-8")
    path.chmod(mode)
    with pytest.raises(ConfigError, match="chmod 600") as info:
        read_token(path)
    assert "secret-in-a-shared-file" not in info.value.message


@pytest.mark.parametrize("content,problem", [("", "empty"), ("  \n", "empty")])
def test_empty_token_file(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "token"
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match=problem):
        read_token(path)


def test_missing_token_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read token file"):
        read_token(tmp_path / "nope")
