"""Every example in specs/ loads, resolves against the demo roster, and fits the schema."""

from __future__ import annotations

from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from reconciler.model import Enrollment, Roster, User
from reconciler.spec import json_schema, load, resolve

SPECS = sorted((Path(__file__).parents[2] / "specs").glob("*.yaml"))


def demo_roster() -> Roster:
    """Like the sandbox's course 101: students s01..s36."""
    return Roster(users=tuple(
        User(id=n, login_id=f"s{n:02d}", sis_user_id=f"2026{n:04d}", email=f"s{n:02d}@example.edu",
             enrollments=(Enrollment(type="StudentEnrollment"),))
        for n in range(1, 37)))


def test_the_examples_exist() -> None:
    names = {p.name for p in SPECS}
    assert {"minimal.yaml", "project-teams.yaml", "sis-ids.yaml"} <= names


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_example_loads_and_resolves(path: Path) -> None:
    state = resolve(load(path), demo_roster(), 101)
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
