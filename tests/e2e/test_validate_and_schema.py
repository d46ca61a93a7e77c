"""`validate` offline and --online, and `schema` checking every example spec."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.sandbox import SandboxServer

from .helpers import run, write_spec

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.yaml"))


def test_validate_offline_needs_no_canvas(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "course: 101\ngroup_sets:\n  - name: X\n    groups: []\n")
    result = CliRunner().invoke(cli, ["validate", str(spec)], env={"CANVAS_BASE_URL": ""})
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_online_resolves_members(sandbox: SandboxServer, tmp_path: Path) -> None:
    good = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: X
            groups: [{name: A, members: [s01, s02]}]
    """, "good.yaml")
    bad = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: X
            groups: [{name: A, members: [s01, nobody-here]}]
    """, "bad.yaml")
    assert run(sandbox, "validate", str(bad)).exit_code == 0
    assert run(sandbox, "validate", "--online", str(good)).exit_code == 0
    online = run(sandbox, "validate", "--online", str(good), str(bad))
    assert online.exit_code == 1
    assert "nobody-here" in online.output and "bad.yaml:4" in online.output


def test_schema_validates_every_example() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert EXAMPLES, "specs/ holds example specs"
    for path in EXAMPLES:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_schema_rejects_an_unknown_key() -> None:
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).output)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"course": 101, "group_sets": [], "colour": "blue"}, schema)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_converges_on_the_sandbox(sandbox: SandboxServer, path: Path) -> None:
    applied = run(sandbox, "apply", str(path), "--auto-approve", "--allow-delete")
    assert applied.exit_code == 0, applied.output
    assert run(sandbox, "plan", str(path), "--detailed-exitcode").exit_code == 0
