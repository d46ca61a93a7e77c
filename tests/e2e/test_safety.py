"""The guards end to end (CLI, client, emulator): thresholds, protect, renames that keep
Canvas ids, rename hints, the capacity check and restoring from a snapshot."""

from __future__ import annotations

from pathlib import Path

import yaml

from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import LAB_PAIR_GROUP_IDS, LAB_PAIRS_CATEGORY_ID, TA_TOKEN

from .helpers import categories, groups_of, member_logins, run, write_spec

STUDENTS = [f"s{n:02d}" for n in range(1, 37)]


def teams_spec(groups: dict[str, list[str]], **set_keys: object) -> str:
    gset = {"name": "Project Teams", **set_keys,
            "groups": [{"name": name, "members": members} for name, members in groups.items()]}
    return yaml.safe_dump({"course": 101, "group_sets": [gset]}, sort_keys=False)


NINE_TEAMS = {f"Team {n}": STUDENTS[4 * (n - 1): 4 * n] for n in range(1, 10)}


def applied(sandbox: SandboxServer, tmp_path: Path, text: str, *flags: str) -> Path:
    spec = write_spec(tmp_path, text, f"spec-{len(list(tmp_path.iterdir()))}.yaml")
    result = run(sandbox, "apply", str(spec), "--auto-approve", *flags)
    assert result.exit_code == 0, result.output
    return spec


def test_emptying_a_third_of_a_set_is_refused_without_force(sandbox: SandboxServer,
                                                           tmp_path: Path) -> None:
    applied(sandbox, tmp_path, teams_spec(NINE_TEAMS))
    hurried = {**NINE_TEAMS, "Team 1": [], "Team 2": [], "Team 3": []}
    spec = write_spec(tmp_path, teams_spec(hurried), "hurried.yaml")
    breach = ("Project Teams: 12 of 36 memberships (33%) would be removed; the limit is 25%")

    planned = run(sandbox, "plan", str(spec))
    assert f"Warning: {breach}; apply will refuse without --force" in planned.output

    before = len(sandbox.state.write_log)
    refused = run(sandbox, "apply", str(spec), "--auto-approve")
    assert refused.exit_code == 1
    assert f"{breach}; re-run with --force to permit it" in refused.output
    assert refused.output.index('~ members of "Team 1"') < refused.output.index("Error:")
    assert len(sandbox.state.write_log) == before

    forced = run(sandbox, "apply", str(spec), "--auto-approve", "--force")
    assert forced.exit_code == 0, forced.output
    team1 = groups_of(sandbox, categories(sandbox)["Project Teams"]["id"])["Team 1"]
    assert member_logins(sandbox, team1["id"]) == set()


def test_a_sets_guards_and_the_run_flags_move_the_limit(sandbox: SandboxServer,
                                                       tmp_path: Path) -> None:
    applied(sandbox, tmp_path, teams_spec(NINE_TEAMS))
    hurried = {**NINE_TEAMS, "Team 1": [], "Team 2": [], "Team 3": []}
    loose = write_spec(tmp_path, teams_spec(hurried, guards={"max_removal_pct": 50}), "a.yaml")
    assert "would be removed" not in run(sandbox, "plan", str(loose)).output
    strict = write_spec(tmp_path, teams_spec({**NINE_TEAMS, "Team 1": []}), "b.yaml")
    assert "would be removed" not in run(sandbox, "plan", str(strict)).output  # 11%
    assert "4 of 36 memberships (11%)" in run(sandbox, "plan", str(strict),
                                              "--max-removal-pct", "10").output


def test_a_protected_sets_missing_group_survives_every_flag(sandbox: SandboxServer,
                                                           tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            protect: true
            groups:
              - name: Pair 1
        """)
    result = run(sandbox, "apply", str(spec), "--auto-approve", "--allow-delete", "--force")
    assert result.exit_code == 0, result.output
    assert ("Note: group set 'Lab Pairs' is protected: its groups 'Pair 2' are not in the spec "
            "and are kept") in result.output
    assert set(groups_of(sandbox, LAB_PAIRS_CATEGORY_ID)) == {"Pair 1", "Pair 2"}


def test_renamed_groups_and_sets_keep_their_canvas_ids(sandbox: SandboxServer,
                                                       tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Partners
            previous_names: [Lab Pairs]
            groups:
              - name: Lab Pair 1
                previous_names: [Pair 1]
                members: [s01, s02]
              - name: Pair 2
        """)
    planned = run(sandbox, "plan", str(spec))
    assert '~ group set "Lab Pairs" → "Lab Partners"' in planned.output
    assert '~ group "Pair 1" → "Lab Pair 1" in "Lab Partners"' in planned.output
    assert "to delete" in planned.output and "0 to delete" in planned.output
    applied_ = run(sandbox, "apply", str(spec), "--auto-approve")
    assert applied_.exit_code == 0, applied_.output
    assert categories(sandbox)["Lab Partners"]["id"] == LAB_PAIRS_CATEGORY_ID
    groups = groups_of(sandbox, LAB_PAIRS_CATEGORY_ID)
    assert groups["Lab Pair 1"]["id"] == LAB_PAIR_GROUP_IDS["Pair 1"]
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 0


def test_a_delete_and_create_with_the_same_members_prints_the_rename_line(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            groups:
              - name: Lab Pair 1
                members: [s01, s02]
              - name: Pair 2
        """)
    result = run(sandbox, "plan", str(spec))
    assert ("Warning: group 'Lab Pair 1' in 'Lab Pairs' looks like 'Pair 1' renamed (2 of 2 "
            "members the same), but the plan deletes 'Pair 1' and its content; to rename it "
            "instead, give 'Lab Pair 1' the line  previous_names: [\"Pair 1\"]") in result.output


def test_a_renamed_set_without_previous_names_is_noticed(sandbox: SandboxServer,
                                                         tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Partners
            groups:
              - name: Pair 1
                members: [s01, s02]
              - name: Pair 2
                members: [s03, s04]
        """)
    result = run(sandbox, "plan", str(spec))
    assert "group set 'Lab Partners' looks like 'Lab Pairs' renamed" in result.output
    assert "Note: Canvas also has group sets the spec does not name, left alone: " \
           "'Lab Pairs' (2 groups)" in result.output


def test_an_over_full_group_fails_validate(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            groups:
              - name: Pair 1
                max_membership: 2
                members: [s01, s02, s05]
        """)
    result = run(sandbox, "validate", str(spec))
    assert result.exit_code == 1
    assert (f"{spec}:7:18: group 'Pair 1' is given 3 members, but it can hold 2 "
            "(max_membership: 2)") in result.output


def test_applying_the_snapshot_restores_the_course(sandbox: SandboxServer,
                                                   tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Partners
            previous_names: [Lab Pairs]
            groups:
              - name: Pair 1
                members: [s07, s08]
              - name: Pair 3
                members: [s01]
          - name: Brand New
            groups: [{name: Only, members: [s10]}]
        """)
    result = run(sandbox, "apply", str(spec), "--auto-approve", "--allow-delete",
                 "--snapshot-dir", str(snaps))
    assert result.exit_code == 0, result.output
    [snapshot] = sorted(snaps.iterdir())
    assert f"Snapshot of the sets before this apply: {snapshot}" in result.output
    restore = run(sandbox, "apply", str(snapshot), "--auto-approve", "--allow-delete",
                  "--force", "--snapshot-dir", str(snaps))
    assert restore.exit_code == 0, restore.output
    assert set(categories(sandbox)) == {"Student Groups", "Lab Pairs"}
    pairs = groups_of(sandbox, LAB_PAIRS_CATEGORY_ID)
    assert {n: member_logins(sandbox, g["id"]) for n, g in pairs.items()} == {
        "Pair 1": {"s01", "s02"}, "Pair 2": {"s03", "s04"}}
    assert pairs["Pair 1"]["id"] == LAB_PAIR_GROUP_IDS["Pair 1"]
    assert run(sandbox, "plan", str(snapshot), "--detailed-exitcode").exit_code == 0


PAIR_1_ONLY = """\
    course: 101
    group_sets:
      - name: Lab Pairs
        groups:
          - name: Pair 1
            members: [s01, s02]
    """


def test_deleting_a_group_with_submissions_is_marked(sandbox: SandboxServer,
                                                    tmp_path: Path) -> None:
    sandbox.state.t.groups[LAB_PAIR_GROUP_IDS["Pair 2"]].has_submission = True
    spec = write_spec(tmp_path, PAIR_1_ONLY)
    planned = run(sandbox, "plan", str(spec))
    assert '- group "Pair 2" in "Lab Pairs" (2 members)  ! has submissions' in planned.output
    assert "1 operation touches groups with submissions (marked !)." in planned.output
    refused = run(sandbox, "apply", str(spec), "--auto-approve")
    assert refused.exit_code == 1 and "(1 group with submissions)" in refused.output
    done = run(sandbox, "apply", str(spec), "--auto-approve", "--allow-delete")
    assert done.exit_code == 0, done.output


def test_a_section_limited_token_is_refused_before_any_write(sandbox: SandboxServer,
                                                             tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """\
        course: 101
        group_sets:
          - name: Lab Pairs
            groups:
              - name: Pair 1
                members: [s02, s04]
              - name: Pair 2
        """)
    before = len(sandbox.state.write_log)
    result = run(sandbox, "apply", str(spec), "--auto-approve", token=TA_TOKEN)
    assert result.exit_code == 1
    assert "the token's user is limited to their own sections in course 101" in result.output
    assert len(sandbox.state.write_log) == before
    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 0
