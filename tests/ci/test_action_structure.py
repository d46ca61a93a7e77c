"""action.yml is action metadata, which actionlint does not read as such (it checks workflow
files only, and says "jobs section is missing" of an action.yml). So this test checks the
metadata's structure with PyYAML, and hands its steps to actionlint (with shellcheck) dressed
as a reusable workflow's job, where the same step syntax and expressions are checked."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from .harness import ACTION, ROOT

STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
TEXT = (ROOT / "action.yml").read_text(encoding="utf-8")


def test_it_is_a_composite_action_with_a_shell_on_every_script() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"name", "description", "inputs", "outputs"} <= ACTION.keys()
    for step in STEPS:
        assert ("run" in step) != ("uses" in step), step
        assert "id" in step, step
        if "run" in step:
            assert step["shell"] == "bash", step["id"]


def test_no_expression_is_pasted_into_a_script() -> None:
    """Inputs and event fields reach scripts through env: only; an expression inside a
    script would be text substituted into shell code (script injection)."""
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step["id"]


def test_every_input_used_is_declared_and_every_declared_one_is_used() -> None:
    used = set(re.findall(r"\binputs\.([\w-]+)", TEXT))
    assert used == set(ACTION["inputs"])


def test_steps_read_only_outputs_of_earlier_steps() -> None:
    seen: set[str] = set()
    for step in STEPS:
        refs = set(re.findall(r"\bsteps\.([\w-]+)\.outputs", yaml.safe_dump(step)))
        assert refs <= seen, (step["id"], refs - seen)
        seen.add(step["id"])
    for name, output in ACTION["outputs"].items():
        assert {"description", "value"} <= output.keys(), name
        assert re.fullmatch(r"\$\{\{ steps\.[\w-]+\.outputs\.[\w-]+ \}\}", output["value"])


def test_the_canvas_token_is_given_to_the_reconciler_step_alone() -> None:
    holders = [s["id"] for s in STEPS if "inputs.canvas-token" in yaml.safe_dump(s)]
    assert holders == ["run"]
    assert STEPS[[s["id"] for s in STEPS].index("run")]["env"]["CANVAS_API_TOKEN"] == (
        "${{ inputs.canvas-token }}")


def test_actions_are_pinned_to_a_major_version() -> None:
    for step in STEPS:
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]


def as_workflow() -> dict[str, Any]:
    """The action's steps as the one job of a reusable workflow whose inputs are the
    action's: same step keys, same contexts (inputs, steps, github), so actionlint checks
    the expressions, setup-python's inputs and outputs, and each script with shellcheck."""
    inputs = {name: {"type": "string", "required": False} for name in ACTION["inputs"]}
    return {"name": "action.yml's steps", "on": {"workflow_call": {"inputs": inputs}},
            "permissions": {}, "jobs": {"action": {"runs-on": "ubuntu-latest",
                                                    "steps": STEPS}}}


def test_actionlint_passes_the_actions_steps(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is missing: pip install -e '.[test]'"
    assert shutil.which("shellcheck"), "shellcheck is missing: pip install -e '.[test]'"
    workflow = tmp_path / "action-steps.yml"
    workflow.write_text(yaml.safe_dump(as_workflow(), sort_keys=False), encoding="utf-8")
    done = subprocess.run([actionlint, "-no-color", "-oneline", str(workflow)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr + workflow.read_text()
