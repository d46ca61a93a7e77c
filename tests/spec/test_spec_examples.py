"""Every example in specs/ loads, resolves against the demo roster, and fits the schema."""

from __future__ import annotations

from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from reconciler.model import Enrollment, Roster, User
from reconciler.spec import json_schema, load, resolve

SPECS = sorted((Path(__file__).parents[2] / "specs").glob("*.yaml"))


SECTIONS = {"Lab 01": 11, "Lab 02": 12}


def demo_roster() -> Roster:
    """Like the sandbox's course 101: students s01..s36 (ids 1001..1036; odd numbers in
    Lab 01, even in Lab 02), teacher t01 and TA ta01."""
    students = tuple(
        User(id=1000 + n, login_id=f"s{n:02d}", sis_user_id=f"2026{n:04d}",
             email=f"s{n:02d}@example.edu", enrollments=(Enrollment(
                 type="StudentEnrollment", section_id=11 if n % 2 else 12),))
        for n in range(1, 37))
    staff = (User(id=1100, login_id="t01", enrollments=(Enrollment(type="TeacherEnrollment"),)),
             User(id=1101, login_id="ta01", enrollments=(Enrollment(type="TaEnrollment"),)))
    return Roster(users=students + staff)


def test_the_examples_exist() -> None:
    names = {p.name for p in SPECS}
    assert {"minimal.yaml", "project-teams.yaml", "sis-ids.yaml", "rosters.yaml",
            "generated.yaml"} <= names


def test_generated_example_places_everyone_once() -> None:
    spec = load(Path(__file__).parents[2] / "specs" / "generated.yaml")
    state = resolve(spec, demo_roster(), 101, sections=SECTIONS)
    teams = state.group_sets[0].groups
    assert [len(g.members or ()) for g in teams] == [4] * 9
    assert len(set().union(*(g.members or set() for g in teams))) == 36
    labs = {g.name: len(g.members or ()) for g in state.group_sets[2].groups}
    assert labs == {"Lab 01 group": 18, "Lab 02 group": 18}
    assert [len(g.members or ()) for g in state.group_sets[3].groups] == [2] * 9
    assert state.group_sets[4].members_mode == "seed"


def test_roster_example_reads_every_file() -> None:
    spec = load(Path(__file__).parents[2] / "specs" / "rosters.yaml")
    capstone, mentors, imported = resolve(spec, demo_roster(), 101).group_sets
    assert [g.name for g in capstone.groups] == ["Capstone 1", "Capstone 2", "Capstone 3"]
    assert mentors.groups[1].members == {1101}
    assert {g.name: len(g.members or ()) for g in imported.groups} == {
        "Lab Pair A": 2, "Lab Pair B": 2, "Lab Pair C": 1}


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_example_loads_and_resolves(path: Path) -> None:
    state = resolve(load(path), demo_roster(), 101, sections=SECTIONS)
    assert state.group_sets


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_example_fits_the_json_schema(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, json_schema())


def test_schema_rejects_what_load_rejects() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    bad = {"course": 101, "group_sets": [{"name": "A", "self_signup": "sometimes"}]}
    assert list(validator.iter_errors(bad))
    typo = {"course": 101, "group_sets": [{"name": "A", "groups": [{"name": "G", "member": []}]}]}
    assert list(validator.iter_errors(typo))
    ok = {"course": 101, "group_sets": [{"name": "A", "sis_id": 12, "groups": [
        {"name": "G", "members": ["s01", 20260001, {"canvas_id": 5}]}]}]}
    validator.validate(ok)
    jsonschema.Draft202012Validator.check_schema(json_schema())
