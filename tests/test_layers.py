"""The import direction of docs/architecture.md, checked by parsing every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reconciler"
PURE_CORE = ["errors", "model", "ops", "diff", "moves", "plan", "op_codec", "render",
             "render_text", "spec"]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules_under(name: str) -> list[Path]:
    target = PACKAGE / name
    if target.is_dir():
        return sorted(target.rglob("*.py"))
    return [target.with_suffix(".py")]


def forbidden_hits(modules: list[Path], prefixes: tuple[str, ...]) -> list[str]:
    hits = []
    for path in modules:
        for imported in imports_of(path):
            if imported.startswith(prefixes):
                hits.append(f"{path.relative_to(PACKAGE.parent)} imports {imported}")
    return hits


@pytest.mark.parametrize("name", PURE_CORE)
def test_pure_core_has_no_http_cli_or_edges(name: str) -> None:
    banned = ("requests", "click", "reconciler.canvas", "reconciler.engine", "reconciler.cli",
              "reconciler.sandbox", "http", "socket", "urllib")
    assert forbidden_hits(modules_under(name), banned) == []


def test_only_canvas_imports_requests() -> None:
    outside = [p for p in PACKAGE.rglob("*.py") if "canvas" not in p.relative_to(PACKAGE).parts]
    assert forbidden_hits(outside, ("requests",)) == []


def test_only_cli_imports_click() -> None:
    others = [p for p in PACKAGE.rglob("*.py") if p.name != "cli.py"]
    assert forbidden_hits(others, ("click",)) == []


def test_sandbox_stands_apart() -> None:
    banned = ("reconciler.canvas", "reconciler.engine", "reconciler.cli", "reconciler.demo")
    assert forbidden_hits(modules_under("sandbox"), banned) == []


def test_canvas_edge_never_reaches_up() -> None:
    banned = ("reconciler.engine", "reconciler.cli", "reconciler.sandbox")
    assert forbidden_hits(modules_under("canvas"), banned) == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import requests\nfrom click import echo\n", encoding="utf-8")
    assert imports_of(bad) == {"requests", "click"}
