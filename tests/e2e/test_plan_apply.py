"""The central invariant end to end: real CLI, real client, emulator over loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.document import FORMAT_VERSION
from reconciler.sandbox import SandboxServer

from .helpers import categories, groups_of, member_logins, run, snapshot, write_spec

TEAMS = """\
    course: 101
    group_sets:
      - name: Project Teams
        self_signup: null
        groups:
          - name: Team 1
            description: Front end
            members: [s01, s02, s03]
          - name: Team 2
            members: [s04, s05]
          - name: Team 3
            members: []
    """


def test_plan_apply_plan_converges(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    first = run(sandbox, "plan", str(spec))
    assert first.exit_code == 0, first.output
    assert "Plan: 4 to create, 0 to update, 0 to delete, 5 membership changes." in first.output

    applied = run(sandbox, "apply", str(spec), "--auto-approve")
    assert applied.exit_code == 0, applied.output

    teams = groups_of(sandbox, categories(sandbox)["Project Teams"]["id"])
    assert member_logins(sandbox, teams["Team 1"]["id"]) == {"s01", "s02", "s03"}
    assert member_logins(sandbox, teams["Team 2"]["id"]) == {"s04", "s05"}
    assert member_logins(sandbox, teams["Team 3"]["id"]) == set()
    assert teams["Team 1"]["description"] == "Front end"

    again = run(sandbox, "plan", str(spec), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes. Canvas matches the spec." in again.output


def test_plan_performs_no_write(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    before = len(sandbox.state.write_log)
    result = run(sandbox, "plan", str(spec), "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(sandbox.state.write_log) == before
    assert "Project Teams" not in categories(sandbox)


def test_detailed_exitcode_reports_pending_changes(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 2
    assert run(sandbox, "plan", str(spec)).exit_code == 0


def test_json_plan_is_a_versioned_document(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    doc = json.loads(run(sandbox, "plan", str(spec), "--format", "json").output)
    assert doc["format_version"] == FORMAT_VERSION
    actions = sorted((op["action"], op.get("group", "")) for op in doc["operations"])
    assert ("create", "") in actions and ("create", "Team 3") in actions
    assert doc["summary"]["membership_changes"] == 5


def test_deletion_without_allow_delete_writes_nothing(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            groups:
              - name: Pair 1
                description: renamed in the same plan as a deletion
    """)
    before = len(sandbox.state.write_log)
    refused = run(sandbox, "apply", str(spec), "--auto-approve")
    assert refused.exit_code == 1
    assert "Pair 2" in refused.output and "--allow-delete" in refused.output
    assert len(sandbox.state.write_log) == before
    assert "Pair 2" in groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])

    allowed = run(sandbox, "apply", str(spec), "--auto-approve", "--allow-delete")
    assert allowed.exit_code == 0, allowed.output
    assert set(groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])) == {"Pair 1"}


def test_unknown_member_fails_at_plan_time(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Project Teams
            groups:
              - name: Team 1
                members: [s01, s99, zz-nobody]
    """)
    before = len(sandbox.state.write_log)
    result = run(sandbox, "apply", str(spec), "--auto-approve")
    assert result.exit_code == 1
    assert "s99" in result.output and "zz-nobody" in result.output
    assert "spec.yaml:6" in result.output
    assert "Traceback" not in result.output
    assert len(sandbox.state.write_log) == before


def test_unnamed_and_protected_sets_are_untouched(sandbox: SandboxServer, tmp_path: Path) -> None:
    before = {name: snapshot(sandbox, name) for name in ("Lab Pairs", "Student Groups")}
    result = run(sandbox, "apply", str(write_spec(tmp_path, TEAMS)), "--auto-approve",
                 "--allow-delete")
    assert result.exit_code == 0, result.output
    after = {name: snapshot(sandbox, name) for name in ("Lab Pairs", "Student Groups")}
    assert after == before


def test_updated_groups_keep_their_canvas_ids(sandbox: SandboxServer, tmp_path: Path) -> None:
    pairs_before = groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            unmanaged_groups: keep
            groups:
              - name: Pair 1
                description: Tuesday lab
                members: [s01, s05]
    """)
    result = run(sandbox, "apply", str(spec), "--auto-approve")
    assert result.exit_code == 0, result.output
    pairs_after = groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])
    assert pairs_after["Pair 1"]["id"] == pairs_before["Pair 1"]["id"]
    assert pairs_after["Pair 1"]["description"] == "Tuesday lab"
    assert member_logins(sandbox, pairs_after["Pair 1"]["id"]) == {"s01", "s05"}


def test_members_move_between_groups_of_one_set(sandbox: SandboxServer, tmp_path: Path) -> None:
    run(sandbox, "apply", str(write_spec(tmp_path, TEAMS)), "--auto-approve")
    swapped = write_spec(tmp_path, TEAMS.replace("[s01, s02, s03]", "[s04, s02, s03]")
                         .replace("[s04, s05]", "[s01, s05]"), name="swapped.yaml")
    result = run(sandbox, "apply", str(swapped), "--auto-approve")
    assert result.exit_code == 0, result.output
    teams = groups_of(sandbox, categories(sandbox)["Project Teams"]["id"])
    assert member_logins(sandbox, teams["Team 1"]["id"]) == {"s02", "s03", "s04"}
    assert member_logins(sandbox, teams["Team 2"]["id"]) == {"s01", "s05"}
    assert "No changes." in run(sandbox, "plan", str(swapped)).output


def test_absent_set_is_deleted_with_allow_delete(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            state: absent
    """)
    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 1
    assert "Lab Pairs" in categories(sandbox)
    assert run(sandbox, "apply", str(spec), "--auto-approve", "--allow-delete").exit_code == 0
    assert "Lab Pairs" not in categories(sandbox)
    assert "No changes." in run(sandbox, "plan", str(spec)).output


def test_apply_without_terminal_refuses(sandbox: SandboxServer, tmp_path: Path) -> None:
    before = len(sandbox.state.write_log)
    result = run(sandbox, "apply", str(write_spec(tmp_path, TEAMS)), input="yes\n")
    assert result.exit_code == 1
    assert "--auto-approve" in result.output
    assert len(sandbox.state.write_log) == before


def test_plan_never_prints_an_email_the_spec_does_not_hold(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        members_by: email
        group_sets:
          - name: Lab Pairs
            groups:
              - name: Pair 1
                members: [s01@example.edu, s09@example.edu]
              - name: Pair 2
                members: [s03@example.edu, s04@example.edu]
    """)
    text = run(sandbox, "plan", str(spec)).output
    assert "+ s09@example.edu" in text
    assert "- 20260002" in text  # s02 leaves Pair 1: shown by SIS id, not by email
    assert "s02@example.edu" not in text


def test_plan_warns_of_a_move_out_of_an_unmanaged_group(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            unmanaged_groups: keep
            groups:
              - name: Pair 1
                members: [s01, s02, s03]
              - name: Pair 2             # members not managed
    """)
    text = run(sandbox, "plan", str(spec)).output
    assert "s03 will leave 'Pair 2' in 'Lab Pairs'" in text
    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 0
    pairs = groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])
    assert member_logins(sandbox, pairs["Pair 2"]["id"]) == {"s04"}


def test_apply_with_nothing_to_do_says_so(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TEAMS)
    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 0
    before = len(sandbox.state.write_log)
    for args in (["--auto-approve"], []):
        again = run(sandbox, "apply", str(spec), *args)
        assert again.exit_code == 0, again.output
        assert "No changes. Canvas matches the spec." in again.output
    assert len(sandbox.state.write_log) == before
