"""The example workflows (examples/workflows/): actionlint checks each file in .ci/run; these
tests check what actionlint cannot know: that they call this repository's action with inputs
it declares and read outputs it has, give each job only the permissions it needs, and paste
no expression into a script."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .harness import ACTION, ROOT

WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
RECIPES = (ROOT / "docs" / "ci-recipes.md").read_text(encoding="utf-8")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    return {("on" if key is True else key): value for key, value in data.items()}


def steps_of(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def is_ours(step: dict[str, Any]) -> bool:
    return bool(re.fullmatch(r"[\w.-]+/reconciler@[\w.-]+", step.get("uses", "")))


def test_the_three_recipes_are_there() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "reconciler-apply.yml", "reconciler-drift.yml", "reconciler-plan.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_each_job_has_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "no default permissions for jobs that forget theirs"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name
        assert all(v in ("read", "write", "none") for v in job["permissions"].values())
        assert job["permissions"].get("contents") == "read", name


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_script(path: Path) -> None:
    for step in steps_of(load(path)):
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_and_checkout_keeps_no_credentials(path: Path) -> None:
    for step in steps_of(load(path)):
        uses = step.get("uses", "")
        if uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", uses), uses
        if uses.startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_action_is_called_with_inputs_it_declares(path: Path) -> None:
    workflow = load(path)
    ours = [step for step in steps_of(workflow) if is_ours(step)]
    assert len(ours) == 1
    given = set(ours[0].get("with", {}))
    required = {name for name, spec in ACTION["inputs"].items() if spec.get("required")}
    assert given <= set(ACTION["inputs"]), given - set(ACTION["inputs"])
    assert required <= given
    assert "secrets." in ours[0]["with"]["canvas-token"]
    if "id" in ours[0]:
        read = set(re.findall(rf"steps\.{ours[0]['id']}\.outputs\.([\w-]+)",
                              path.read_text(encoding="utf-8")))
        assert read <= set(ACTION["outputs"]), read - set(ACTION["outputs"])


def test_apply_runs_one_at_a_time_in_a_protected_environment() -> None:
    workflow = load(ROOT / "examples" / "workflows" / "reconciler-apply.yml")
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    [job] = workflow["jobs"].values()
    assert job["environment"]
    [step] = [s for s in job["steps"] if is_ours(s)]
    assert step["with"]["command"] == "apply"
    assert "allow-delete" not in step["with"]


def test_drift_runs_nightly_and_by_hand_over_every_spec() -> None:
    workflow = load(ROOT / "examples" / "workflows" / "reconciler-drift.yml")
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    [step] = [s for s in job["steps"] if is_ours(s)]
    assert step["with"]["changed-only"] == "false"
    conditions = [s.get("if") for s in job["steps"]]
    assert "steps.plan.outputs.has-changes == 'true'" in conditions
    assert "steps.plan.outputs.has-changes == 'false'" in conditions


def test_pull_requests_comment_and_never_run_with_base_secrets_for_forks() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in WORKFLOWS)
    assert "pull_request_target" not in text
    workflow = load(ROOT / "examples" / "workflows" / "reconciler-plan.yml")
    assert set(workflow["on"]) == {"pull_request"}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_the_recipes_link_every_example_and_name_no_missing_file() -> None:
    linked = set(re.findall(r"examples/workflows/[\w.-]+\.yml", RECIPES))
    assert linked == {f"examples/workflows/{p.name}" for p in WORKFLOWS}


def test_ci_runs_the_readme_command_with_actionlint_on_every_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [command] = re.findall(r"^python3 -m venv .* -m pytest .*$", readme, re.M)
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()[-1] == command
    assert " actionlint examples/workflows/*.yml " in command
