"""Every YAML example in docs/spec.md is valid: complete specs and group-set fragments load
and resolve against the demo roster (with the CSV files the page shows); fragments that
name files the page does not show at least fit the JSON Schema."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from reconciler.spec import json_schema, load_text, resolve
from tests.spec.test_spec_examples import SECTIONS, demo_roster

PAGE = (Path(__file__).parents[2] / "docs" / "spec.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", PAGE, re.S)
CSV_FILES = dict(re.findall(r"`(rosters/[\w.-]+\.csv)`[^\n]*:\n\n```csv\n(.*?)```", PAGE, re.S))
FILE_KEYS = re.compile(r"(?:members_from|roster):\s*(?:\{file:\s*)?(rosters/[\w.-]+\.csv)")


def as_spec(block: str) -> str | None:
    """The block as a complete spec, or None for a block that is not one (a modeline, a
    `...` excerpt)."""
    if "\n..." in block or not block.strip() or block.lstrip().startswith("#"):
        return None
    if re.match(r"^course:", block, re.M):
        return block
    if block.startswith("  - "):
        return f"course: 101\ngroup_sets:\n{block}"
    if block.startswith("    groups:"):
        return f"course: 101\ngroup_sets:\n  - name: Example\n{block}"
    raise AssertionError(f"a YAML example this test does not know how to check:\n{block}")


SPECS = [s for s in map(as_spec, BLOCKS) if s is not None]


def test_the_page_has_examples() -> None:
    assert len(SPECS) >= 8
    assert {"rosters/team1.csv", "rosters/capstone.csv"} <= CSV_FILES.keys()


@pytest.mark.parametrize("text", SPECS, ids=[f"example{i}" for i in range(len(SPECS))])
def test_doc_example_is_valid(text: str, tmp_path: Path) -> None:
    jsonschema.validate(yaml.safe_load(text), json_schema())
    files = FILE_KEYS.findall(text)
    if not all(f in CSV_FILES for f in files):
        return  # the page does not show every file it names: the schema check is all
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(CSV_FILES[name], encoding="utf-8")
    state = resolve(load_text(text, "spec.yaml", base_dir=tmp_path), demo_roster(), 101,
                    sections=SECTIONS)
    assert state.group_sets
