"""`plan --out` then `apply --plan`: exactly the reviewed plan, or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.document import FORMAT_VERSION
from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import DEMO_USER_IDS

from .helpers import categories, groups_of, run, write_spec
from .test_plan_apply import TEAMS


def test_saved_plan_applies_without_asking(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec, saved = write_spec(tmp_path, TEAMS), tmp_path / "plan.json"
    assert run(sandbox, "plan", str(spec), "--out", str(saved)).exit_code == 0
    assert json.loads(saved.read_text(encoding="utf-8"))["format_version"] == FORMAT_VERSION
    result = run(sandbox, "apply", str(spec), "--plan", str(saved))
    assert result.exit_code == 0, result.output
    assert "Team 3" in groups_of(sandbox, categories(sandbox)["Project Teams"]["id"])


def test_saved_plan_refused_after_canvas_drifts(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec, saved = write_spec(tmp_path, TEAMS), tmp_path / "plan.json"
    run(sandbox, "plan", str(spec), "--out", str(saved))
    pair = groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])["Pair 1"]
    sandbox.state.add_membership(pair["id"], DEMO_USER_IDS["s09"])
    before = len(sandbox.state.write_log)
    result = run(sandbox, "apply", str(spec), "--plan", str(saved))
    assert result.exit_code == 1
    assert "Canvas has changed since the plan was saved" in result.output
    assert len(sandbox.state.write_log) == before


def test_saved_plan_refused_after_spec_changes(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec, saved = write_spec(tmp_path, TEAMS), tmp_path / "plan.json"
    run(sandbox, "plan", str(spec), "--out", str(saved))
    edited = write_spec(tmp_path, TEAMS.replace("Front end", "Back end"))
    result = run(sandbox, "apply", str(edited), "--plan", str(saved))
    assert result.exit_code == 1
    assert "no longer gives the saved plan" in result.output
    assert "Project Teams" not in categories(sandbox)


def test_unreadable_plan_file_is_a_clear_error(sandbox: SandboxServer, tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run(sandbox, "apply", str(write_spec(tmp_path, TEAMS)), "--plan", str(bad))
    assert result.exit_code == 1
    assert "cannot read the plan file" in result.output
    assert "Traceback" not in result.output
