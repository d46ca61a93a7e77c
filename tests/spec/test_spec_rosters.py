"""Members from CSV files: `members_from`, a set's `roster`, Canvas's own export, and the
rule that files stay inside the spec's repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.errors import SpecError
from reconciler.model import Group, Roster
from reconciler.spec import load, load_text, member_labels, resolve

FIXTURES = Path(__file__).parent / "fixtures"
HEAD = "course: 101\ngroup_sets:\n  - name: A\n"


def groups(text: str, roster: Roster) -> dict[str, frozenset[int] | None]:
    spec = load_text(HEAD + text, "spec.yaml", base_dir=FIXTURES)
    return {g.name: g.members for g in resolve(spec, roster, 101).group_sets[0].groups}


def test_members_from_default_column_is_members_by(roster: Roster) -> None:
    text = "    groups:\n      - name: T1\n        members_from: rosters/team1.csv\n"
    assert groups(text, roster) == {"T1": frozenset({1001, 1002, 1003})}


def test_members_from_with_a_named_column_and_kind(roster: Roster) -> None:
    text = ("    groups:\n      - name: T2\n        members_from: {file: rosters/team2-sis.csv, "
            "column: Student ID, member_kind: sis_user_id}\n")
    assert groups(text, roster) == {"T2": frozenset({1004, 1005})}


def test_set_roster_fills_listed_groups_and_creates_the_others(roster: Roster) -> None:
    text = ("    roster: rosters/teams.csv\n    groups:\n      - name: Team 2\n"
            "        max_membership: 3\n      - name: Team 9\n")
    spec = load_text(HEAD + text, "spec.yaml", base_dir=FIXTURES)
    group_set = resolve(spec, roster, 101).group_sets[0]
    assert group_set.groups == (
        Group(name="Team 2", max_membership=3, members=frozenset({1003}),
              managed=frozenset({"max_membership"})),
        Group(name="Team 9", members=frozenset(), managed=frozenset()),
        Group(name="Team 1", members=frozenset({1001, 1002}), managed=frozenset()),
        Group(name="Team 3", members=frozenset({1004}), managed=frozenset()),
    )
    assert group_set.unmanaged_groups == "delete"


def test_set_roster_with_named_columns(roster: Roster) -> None:
    text = ("    roster: {file: rosters/other-columns.csv, group_column: team, "
            "member_column: student, member_kind: login_id}\n")
    assert groups(text, roster) == {"Team 1": frozenset({1001})}


@pytest.mark.parametrize(("name", "expected"), [
    # the unassigned s03 (empty group_name) is ignored
    ("canvas-export.csv", {"Team A": frozenset({1001, 1002}), "Team B": frozenset({1004})}),
    ("canvas-export-short.csv", {"Team A": frozenset({1001})}),  # no SIS or group id columns
])
def test_canvas_export_is_read_as_it_is(name: str, expected: dict[str, frozenset[int]],
                                        roster: Roster) -> None:
    assert groups(f"    roster: rosters/{name}\n", roster) == expected


def test_file_members_are_labelled_by_their_identifier(roster: Roster) -> None:
    spec = load_text(HEAD + "    roster: rosters/canvas-export.csv\n", "spec.yaml",
                     base_dir=FIXTURES)
    assert member_labels(spec, roster) == {1001: "1001", 1002: "1002", 1004: "1004"}


def test_unknown_member_in_a_file_is_reported_at_its_row(roster: Roster) -> None:
    spec = load_text(HEAD + "    roster: rosters/unknown-member.csv\n", "specs/c.yaml",
                     base_dir=FIXTURES)
    with pytest.raises(SpecError) as info:
        resolve(spec, roster, 101)
    [problem] = info.value.problems
    assert (problem.file, problem.line) == ("specs/rosters/unknown-member.csv", 3)
    assert "no user in the course has login_id 's99'" in problem.message


def test_same_user_in_the_spec_and_a_file(roster: Roster) -> None:
    text = ("    groups:\n      - name: T1\n        members_from: rosters/team1.csv\n"
            "      - name: T2\n        members: [s01]\n")
    spec = load_text(HEAD + text, "spec.yaml", base_dir=FIXTURES)
    with pytest.raises(SpecError) as info:
        resolve(spec, roster, 101)
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.column) == ("spec.yaml", 8, 19)
    assert "same Canvas user as the member on rosters/team1.csv:2" in problem.message


def test_load_reads_files_beside_the_spec(tmp_path: Path, roster: Roster) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "specs" / "rosters").mkdir(parents=True)
    (tmp_path / "specs" / "rosters" / "t.csv").write_text("login_id\ns05\n", encoding="utf-8")
    spec_file = tmp_path / "specs" / "course.yaml"
    spec_file.write_text(HEAD + "    groups:\n      - name: T\n"
                         "        members_from: rosters/t.csv\n", encoding="utf-8")
    assert resolve(load(spec_file), roster, 101).group_sets[0].groups[0].members == {1005}


# --- confinement: files may not leave the spec's repository
def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "specs").mkdir()
    (repo / "rosters").mkdir()
    (repo / "rosters" / "in.csv").write_text("login_id\ns01\n", encoding="utf-8")
    (tmp_path / "outside.csv").write_text("login_id\ns01\n", encoding="utf-8")
    return repo


def _load(repo: Path, written: str) -> SpecError | None:
    text = HEAD + f"    groups:\n      - name: T\n        members_from: '{written}'\n"
    try:
        load_text(text, "course.yaml", base_dir=repo / "specs")
    except SpecError as exc:
        return exc
    return None


def test_parent_directory_inside_the_repository_is_fine(tmp_path: Path) -> None:
    assert _load(_repo(tmp_path), "../rosters/in.csv") is None


@pytest.mark.parametrize(("written", "fragment"), [
    ("../../outside.csv", "leads outside the spec's repository (repo/)"),
    ("rosters/../../../outside.csv", "leads outside"),
    ("ABSOLUTE", "is an absolute path; write it relative to the spec file"),
    ("../rosters/link.csv", "leads outside"),
])
def test_paths_leaving_the_repository_are_refused(tmp_path: Path, written: str,
                                                  fragment: str) -> None:
    repo = _repo(tmp_path)
    os.symlink(tmp_path / "outside.csv", repo / "rosters" / "link.csv")
    written = str(tmp_path / "outside.csv") if written == "ABSOLUTE" else written
    error = _load(repo, written)
    assert error is not None
    [problem] = error.problems
    assert (problem.file, problem.line, problem.column) == ("course.yaml", 6, 23)
    assert fragment in problem.message


def test_without_git_the_spec_directory_is_the_limit(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "r.csv").write_text("login_id\ns01\n", encoding="utf-8")
    text = HEAD + "    roster: {file: ../r.csv}\n"
    with pytest.raises(SpecError, match="leads outside") as info:
        load_text(text, "course.yaml", base_dir=tmp_path / "specs")
    assert info.value.problems[0].line == 4
