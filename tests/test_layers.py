"""The pure core really loads no HTTP or CLI code, however it might import it.

The import direction itself is import-linter's contracts (pyproject.toml, `lint-imports` in
.ci/run), which read every import statement. This test covers what a static reading
cannot see (`importlib.import_module("requests")`, `__import__`): it imports each core
module in a fresh interpreter and looks at what was loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# socket is not banned here: deepdiff loads it for its own reasons (no HTTP).
CORE = ["errors", "model", "natural", "wording", "matching", "semantics", "ops", "spec",
        "diff", "hints", "bulk", "plan", "document", "guards", "schedule", "staleness",
        "render", "render.many"]
BANNED = ["requests", "urllib3", "click", "http.client", "reconciler.canvas",
          "reconciler.engine", "reconciler.cli", "reconciler.sandbox"]


def loaded_by(module: str) -> list[str]:
    probe = (f"import json, sys; import {module}; "
             f"print(json.dumps(sorted(m for m in {BANNED!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    found: list[str] = json.loads(out.stdout)
    return found


@pytest.mark.parametrize("name", CORE)
def test_core_module_loads_no_http_cli_or_edges(name: str) -> None:
    assert loaded_by(f"reconciler.{name}") == []


def test_the_probe_sees_a_loaded_module() -> None:
    assert {"requests", "reconciler.canvas"} <= set(loaded_by("reconciler.canvas.client"))
