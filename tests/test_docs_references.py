"""The tests and modules docs/canvas-quirks.md cites exist: a renamed test or a moved function
must not leave the quirks table pointing at nothing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUIRKS = (ROOT / "docs" / "canvas-quirks.md").read_text(encoding="utf-8")


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)}


def test_every_cited_test_exists() -> None:
    cited = set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)", QUIRKS))
    assert cited, "the table cites no tests at all"
    missing = [f"{file}::{name}" for file, name in sorted(cited)
               if not (ROOT / file).is_file() or name not in _defined(ROOT / file)]
    assert missing == []


def test_every_cited_module_exists() -> None:
    cited = set(re.findall(r"`((?:canvas|sandbox|spec|render)\.\w+)", QUIRKS))
    cited |= set(re.findall(r"`(bulk|diff|semantics|matching|guards|engine)\.", QUIRKS))
    missing = [name for name in sorted(cited)
               if not (ROOT / "reconciler" / f"{name.replace('.', '/')}.py").is_file()
               and not (ROOT / "reconciler" / name.replace(".", "/")).is_dir()]
    assert missing == []
