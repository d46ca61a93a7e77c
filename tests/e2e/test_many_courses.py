"""Many courses in one run: PATH... takes files and directories; a course that fails is
reported and the others go on; the exit code is the worst one. And --group-set."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.sandbox import SandboxServer

from .helpers import categories, groups_of, member_logins, run, write_spec

COURSE_101 = """\
    course: 101
    group_sets:
      - name: Studios
        groups:
          - name: Studio 2
            members: [s03]
          - name: Studio 10
            members: [s01, s02]
    """
COURSE_202 = """\
    course: 202
    group_sets:
      - name: Empty Course Teams
        groups:
          - name: Team A
            members: []
    """
TWO_SETS = COURSE_101.rstrip(" ") + """\
      - name: Lab Pairs
        groups:
          - name: Pair 1
            members: [s05]
    """
BROKEN = """\
    course: 101
    group_sets:
      - name: Studios
        groups:
          - name: Studio 1
            members: [nobody-like-this]
    """


def _three_courses(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    write_spec(specs, COURSE_101, "a-101.yaml")
    write_spec(specs, BROKEN, "b-broken.yaml")
    (specs / "nested").mkdir()
    write_spec(specs / "nested", COURSE_202, "c-202.yml")
    (specs / ".hidden").mkdir()
    write_spec(specs / ".hidden", BROKEN, "ignored.yaml")  # hidden directories are skipped
    return specs


def test_a_directory_of_three_courses_plans_the_two_good_ones_and_exits_1(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    specs = _three_courses(tmp_path)
    result = run(sandbox, "plan", str(specs), "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    out = result.output
    headings = [line for line in out.splitlines() if line.startswith("=== ")]
    assert headings == [f"=== {specs / 'a-101.yaml'} ===", f"=== {specs / 'b-broken.yaml'} ===",
                        f"=== {specs / 'nested' / 'c-202.yml'} ==="]
    assert "nobody-like-this" in out and "ignored.yaml" not in out
    assert out.count("reconciler will make these changes to course") == 2
    assert "Total: 3 courses: 2 with changes, 0 without changes, 1 failed." in out
    # natural order: Studio 2 before Studio 10
    assert out.index('"Studio 2"') < out.index('"Studio 10"')


def test_a_directory_of_three_courses_applies_the_two_good_ones_and_exits_1(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    specs = _three_courses(tmp_path)
    result = run(sandbox, "apply", str(specs), "--auto-approve")
    assert result.exit_code == 1, result.output
    assert "Total: 3 courses: 2 applied, 1 failed." in result.output
    studios = groups_of(sandbox, categories(sandbox)["Studios"]["id"])
    assert member_logins(sandbox, studios["Studio 10"]["id"]) == {"s01", "s02"}
    assert "Empty Course Teams" in categories(sandbox, 202)
    # and the good two now plan empty
    again = run(sandbox, "plan", str(specs / "a-101.yaml"), str(specs / "nested"),
                "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "Total: 2 courses: 0 with changes, 2 without changes." in again.output


def test_changes_but_no_failure_exit_2_with_detailed_exitcode(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    a = write_spec(tmp_path, COURSE_101, "a.yaml")
    b = write_spec(tmp_path, COURSE_202, "b.yaml")
    assert run(sandbox, "plan", str(a), str(b), "--detailed-exitcode").exit_code == 2
    assert run(sandbox, "plan", str(a), str(b)).exit_code == 0


def test_json_lists_the_courses_and_markdown_has_a_section_each(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    specs = _three_courses(tmp_path)
    doc = json.loads(run(sandbox, "plan", str(specs), "--format", "json").output)
    assert [c["path"] for c in doc["courses"]] == [
        str(specs / "a-101.yaml"), str(specs / "b-broken.yaml"),
        str(specs / "nested" / "c-202.yml")]
    assert doc["courses"][0]["plan"]["course_id"] == 101
    assert doc["courses"][1]["error"]["kind"] == "SpecError"
    assert doc["summary"] == "3 courses: 2 with changes, 0 without changes, 1 failed."

    markdown = run(sandbox, "plan", str(specs), "--format", "markdown").output
    assert markdown.startswith("### reconciler plan: 3 courses")
    assert f"#### `{specs / 'a-101.yaml'}` (course 101)" in markdown
    assert f"#### `{specs / 'b-broken.yaml'}`\n\n**Error:**" in markdown


def test_out_takes_one_spec(sandbox: SandboxServer, tmp_path: Path) -> None:
    specs = _three_courses(tmp_path)
    result = run(sandbox, "plan", str(specs), "--out", str(tmp_path / "p.json"))
    assert result.exit_code == 1
    assert "--out saves the plan of one course" in result.output


def test_group_set_limits_plan_and_apply_to_that_set(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TWO_SETS)
    before = {e.path for e in sandbox.state.write_log}
    planned = run(sandbox, "plan", str(spec), "--group-set", "Studios")
    assert planned.exit_code == 0, planned.output
    assert '"Studios"' in planned.output and "Lab Pairs" not in planned.output

    applied = run(sandbox, "apply", str(spec), "--group-set", "Studios", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    pairs_id = categories(sandbox)["Lab Pairs"]["id"]
    touched = {e.path for e in sandbox.state.write_log} - before
    assert touched and not any(str(pairs_id) in p for p in touched)
    assert not any(f"/groups/{g['id']}" in p for g in groups_of(sandbox, pairs_id).values()
                   for p in touched)
    # the other set still differs; only it
    rest = run(sandbox, "plan", str(spec), "--detailed-exitcode")
    assert rest.exit_code == 2 and '"Studios"' not in rest.output


def test_group_set_that_the_spec_does_not_name_is_an_error(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, COURSE_101)
    result = run(sandbox, "plan", str(spec), "--group-set", "Studio")
    assert result.exit_code == 1
    assert "no group set named 'Studio' (--group-set); its sets: 'Studios'" in result.output
