"""Every end-to-end test runs in its own empty directory: `apply` writes its snapshots under
`.reconciler/snapshots` in the current directory, which must never be the repository."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(tmp_path_factory: pytest.TempPathFactory,
                            monkeypatch: pytest.MonkeyPatch) -> Path:
    scratch = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(scratch)
    return scratch
