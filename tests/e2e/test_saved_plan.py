"""Saved plans, Terraform style: `plan --out` then `apply plan.json` (or `apply SPEC --plan`):
exactly the reviewed plan, or nothing, with what moved."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from reconciler.document import FORMAT_VERSION
from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import DEMO_USER_IDS, LAB_PAIR_GROUP_IDS

from .helpers import categories, groups_of, member_logins, run, write_spec
from .test_plan_apply import TEAMS

PAIRS = """\
    course: 101
    group_sets:
      - name: Lab Pairs
        groups:
          - name: Pair 1
            members: [s01, s05]
          - name: Pair 2
            members: [s03, s04]
    """


def saved_plan(sandbox: SandboxServer, tmp_path: Path, text: str) -> tuple[Path, Path]:
    spec, saved = write_spec(tmp_path, text), tmp_path / "plan.json"
    result = run(sandbox, "plan", str(spec), "--out", str(saved))
    assert result.exit_code == 0, result.output
    return spec, saved


def test_a_saved_plan_is_private_and_applies_without_its_spec(sandbox: SandboxServer,
                                                             tmp_path: Path) -> None:
    _, saved = saved_plan(sandbox, tmp_path, PAIRS)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text(encoding="utf-8"))["format_version"] == FORMAT_VERSION
    result = run(sandbox, "apply", str(saved), "--snapshot-dir", str(tmp_path / "snaps"))
    assert result.exit_code == 0, result.output
    assert "Apply complete" in result.output
    assert member_logins(sandbox, LAB_PAIR_GROUP_IDS["Pair 1"]) == {"s01", "s05"}


def test_a_saved_plan_is_refused_when_a_membership_it_depends_on_moved(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    _, saved = saved_plan(sandbox, tmp_path, PAIRS)
    sandbox.state.add_membership(LAB_PAIR_GROUP_IDS["Pair 2"], DEMO_USER_IDS["s09"])
    before = len(sandbox.state.write_log)
    result = run(sandbox, "apply", str(saved))
    assert result.exit_code == 1
    assert "Pair 2's members changed since the plan was made" in result.output
    assert result.output.index("~ members of") < result.output.index("Error:")  # plan first
    assert len(sandbox.state.write_log) == before


def test_drift_in_a_set_the_plan_does_not_touch_does_not_stop_it(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec, saved = saved_plan(sandbox, tmp_path, TEAMS)
    pair = groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])["Pair 1"]
    sandbox.state.add_membership(pair["id"], DEMO_USER_IDS["s09"])
    result = run(sandbox, "apply", str(spec), "--plan", str(saved),
                 "--snapshot-dir", str(tmp_path / "snaps"))
    assert result.exit_code == 0, result.output
    assert "Team 3" in groups_of(sandbox, categories(sandbox)["Project Teams"]["id"])


def test_a_saved_plan_is_refused_when_its_new_set_name_was_taken(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    _, saved = saved_plan(sandbox, tmp_path, TEAMS)
    sandbox.state.create_category(101, "Project Teams")
    result = run(sandbox, "apply", str(saved))
    assert result.exit_code == 1
    assert "a group set named 'Project Teams' now exists in Canvas" in result.output


def test_saved_plan_refused_after_spec_changes(sandbox: SandboxServer, tmp_path: Path) -> None:
    _, saved = saved_plan(sandbox, tmp_path, TEAMS)
    edited = write_spec(tmp_path, TEAMS.replace("Front end", "Back end"), "edited.yaml")
    result = run(sandbox, "apply", str(edited), "--plan", str(saved))
    assert result.exit_code == 1
    assert "no longer gives the saved plan" in result.output
    assert "Project Teams" not in categories(sandbox)


def test_show_renders_a_saved_plan_in_every_format(sandbox: SandboxServer,
                                                   tmp_path: Path) -> None:
    _, saved = saved_plan(sandbox, tmp_path, PAIRS)
    text = run(sandbox, "show", str(saved))
    assert text.exit_code == 0 and '~ members of "Pair 1" in "Lab Pairs": + s05  - s02' in \
        text.output
    markdown = run(sandbox, "show", str(saved), "--format", "markdown")
    assert markdown.output.startswith("#### reconciler plan for course 101")
    doc = json.loads(run(sandbox, "show", str(saved), "--format", "json").output)
    assert doc == json.loads(saved.read_text(encoding="utf-8"))


def test_unreadable_plan_file_is_a_clear_error(sandbox: SandboxServer, tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("{not json", encoding="utf-8")
    for args in (["apply", str(write_spec(tmp_path, TEAMS)), "--plan", str(bad)],
                 ["apply", str(bad)], ["show", str(bad)]):
        result = run(sandbox, *args)
        assert result.exit_code == 1
        assert "cannot read the plan file" in result.output
        assert "Traceback" not in result.output
