"""A roster file's member column, when the spec names none: the column named after the
spec's members_by, else the one column named after an identity kind, read as that kind.
What the spec says explicitly (member_column / column, member_kind) wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import SpecError
from reconciler.model import Roster
from reconciler.spec import load_text, resolve


def _members(tmp_path: Path, roster: Roster, csv: str, entry: str,
             members_by: str = "sis_user_id") -> dict[str, frozenset[int] | None]:
    (tmp_path / "teams.csv").write_text(csv, encoding="utf-8")
    text = (f"course: 101\nmembers_by: {members_by}\ngroup_sets:\n  - name: A\n{entry}")
    spec = load_text(text, "course.yaml", base_dir=tmp_path)
    return {g.name: g.members for g in resolve(spec, roster, 101).group_sets[0].groups}


ROSTER = "    roster: {}\n"
MEMBERS_FROM = "    groups:\n      - name: T1\n        members_from: {}\n"


@pytest.mark.parametrize(("csv", "ref", "expected"), [
    # the issue: a login_id header in a file of an sis_user_id spec
    ("group,login_id\nT1,s01\nT1,s02\n", "teams.csv", {"T1": {1001, 1002}}),
    ("group,email\nT1,s03@example.edu\n", "teams.csv", {"T1": {1003}}),
    ("group,canvas_id\nT1,1004\n", "teams.csv", {"T1": {1004}}),
    ("group,canvas_user_id,name\nT1,1005,Student 05\n", "teams.csv", {"T1": {1005}}),
    # the members_by column, when the file has it, among other identity columns
    ("group,login_id,sis_user_id\nT1,s01,20260002\n", "teams.csv", {"T1": {1002}}),
    # explicit settings win over the header
    ("group,login_id,email\nT1,s01,s02@example.edu\n", "{file: teams.csv, member_column: email}",
     {"T1": {1002}}),
    ("group,login_id,email\nT1,s01,s02@example.edu\n", "{file: teams.csv, member_kind: email}",
     {"T1": {1002}}),
    ("group,student\nT1,s06\n",
     "{file: teams.csv, member_column: student, member_kind: login_id}", {"T1": {1006}}),
])
def test_a_set_roster_reads_the_column_its_header_names(
        tmp_path: Path, roster: Roster, csv: str, ref: str,
        expected: dict[str, set[int]]) -> None:
    assert _members(tmp_path, roster, csv, ROSTER.format(ref)) == expected


@pytest.mark.parametrize(("csv", "ref", "expected"), [
    ("login_id\ns01\ns02\n", "teams.csv", {1001, 1002}),
    ("email\ns03@example.edu\n", "teams.csv", {1003}),
    ("sis_user_id,login_id\n20260004,s01\n", "teams.csv", {1004}),
    ("login_id,email\ns01,s05@example.edu\n", "{file: teams.csv, column: email}", {1005}),
])
def test_members_from_reads_the_column_its_header_names(
        tmp_path: Path, roster: Roster, csv: str, ref: str, expected: set[int]) -> None:
    assert _members(tmp_path, roster, csv, MEMBERS_FROM.format(ref)) == {"T1": expected}


def test_two_identity_columns_and_neither_is_members_by_is_a_problem(
        tmp_path: Path, roster: Roster) -> None:
    with pytest.raises(SpecError) as info:
        _members(tmp_path, roster, "group,login_id,email\nT1,s01,s01@example.edu\n",
                 ROSTER.format("teams.csv"))
    [problem] = info.value.problems
    assert (problem.file, problem.line) == ("teams.csv", 1)
    assert "the member column 'sis_user_id' is not in the header" in problem.message


def test_a_value_is_checked_as_the_kind_its_header_names(
        tmp_path: Path, roster: Roster) -> None:
    with pytest.raises(SpecError) as info:
        _members(tmp_path, roster, "group,canvas_id\nT1,s01\n", ROSTER.format("teams.csv"),
                 members_by="login_id")
    [problem] = info.value.problems
    assert (problem.file, problem.line) == ("teams.csv", 2)
    assert "'canvas_id' must be a Canvas user id (a number), got 's01'" in problem.message
