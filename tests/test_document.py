"""The plan document: its shape, the round trip, and bad documents refused clearly."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from test_plan import make

from reconciler.document import FORMAT_VERSION, plan_from_dict, plan_to_dict
from reconciler.errors import ReconcilerError


def test_document_shape() -> None:
    doc = plan_to_dict(make(warnings=("careful",)))
    assert doc["format_version"] == FORMAT_VERSION == 2 and doc["course_id"] == 7
    assert doc["summary"] == {"create": 2, "update": 3, "delete": 3, "membership_changes": 4}
    assert doc["warnings"] == ["careful"]
    shrink = doc["operations"][4]
    assert shrink["phase"] == "shrink_members"
    assert shrink["labels"] == {"1": "s01", "2": "s02", "3": "s03"}
    assert "labels" not in doc["operations"][0]
    assert doc["known_ids"] == {"group_sets": [10, 20, 30],
                                "groups": [101, 102, 103, 104, 201, 301]}
    create = doc["operations"][2]
    assert create["action"] == "create" and create["set_id"] is None


def test_document_round_trips_through_json() -> None:
    plan = make(warnings=("careful",))
    text = json.dumps(plan_to_dict(plan), sort_keys=True)
    assert plan_from_dict(json.loads(text)) == plan
    assert json.dumps(plan_to_dict(plan_from_dict(json.loads(text))), sort_keys=True) == text


DROP = object()


def broken(*path: str | int, to: Any = DROP) -> Any:
    """The test plan's document with the value at `path` replaced (or dropped)."""
    doc = copy.deepcopy(plan_to_dict(make()))
    parent: Any = doc
    for step in path[:-1]:
        parent = parent[step]
    if to is DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = to
    return doc


@pytest.mark.parametrize(("doc", "message"), [
    ([], "the document must be a JSON object"),
    (broken("format_version"), "format_version is None; this version of "
                               "reconciler reads format_version 2"),
    (broken("format_version", to=1), "format_version is 1"),
    (broken("format_version", to=True), "format_version is True"),
    (broken("fingerprint"), "plan.fingerprint is missing"),
    (broken("operations", 1, "action", to="explode"),
     "operations[1] has unknown action/type 'explode'/'group_set'"),
    (broken("operations", 3, "canvas_id", to="101"),
     "operations[3].canvas_id must be int, not '101'"),
    (broken("operations", 4, "members", to=["s01"]),
     "operations[4].members must be a list of user ids"),
    (broken("operations", 0, "changes", to=[1]), "operations[0].changes[0] must be"),
    (broken("operations", 4, "labels", to={"x": 1}), "operations[4].labels must map"),
    (broken("known_ids"), "plan.known_ids is missing"),
    (broken("known_ids", "groups", to=[True]), "plan.known_ids.groups must be a list of "
                                               "Canvas ids"),
    (broken("operations", 0, "current", "colour", to=1),
     "operations[0].current has unknown field(s) colour"),
    (broken("operations", 2, "settings", "colour", to=1),
     "operations[2].settings has unknown field(s) colour"),
    (broken("operations", 0, "changes", 0, "field", to="colour"),
     "operations[0].changes[0].field 'colour' is not a field reconciler writes"),
    (broken("operations", 2, "set_id", to="Labs"), "operations[2].set_id must be int or null"),
    (broken("warnings", to=[1]), "plan.warnings must be a list of strings"),
])
def test_bad_documents_are_refused_clearly(doc: Any, message: str) -> None:
    with pytest.raises(ReconcilerError) as caught:
        plan_from_dict(doc)
    assert caught.value.message.startswith("invalid plan document: ")
    assert message in caught.value.message


def test_the_baseline_and_desired_state_travel_with_the_plan() -> None:
    from test_plan import CURRENT, LABELS, OPS

    from reconciler.model import CourseState, Group, GroupSet
    from reconciler.plan import build_plan

    desired = CourseState(course_id=7, group_sets=(GroupSet(name="Project Teams", groups=(
        Group(name="Team 1", members=frozenset({2, 1}), previous_names=("T1", "Old")),)),))
    plan = build_plan(OPS, CURRENT, LABELS, desired=desired, members_by="email",
                      notes=("left alone",))
    doc = json.loads(json.dumps(plan_to_dict(plan)))
    assert doc["desired"]["group_sets"][0]["groups"][0]["members"] == [1, 2]
    assert doc["baseline"]["group_sets"][0]["name"] == "Old"
    assert plan_from_dict(doc) == plan


@pytest.mark.parametrize(("doc", "message"), [
    (broken("baseline", "group_sets", to=[{"name": 5}]), "plan.baseline.group_sets.0.name: "),
    (broken("desired"), "plan.desired is missing"),
    (broken("members_by", to="name"), "plan.members_by: 'name' is not a member kind"),
    (broken("operations", 8, "has_submissions"), "operations[8].has_submissions is missing"),
])
def test_bad_states_in_the_document_are_refused(doc: Any, message: str) -> None:
    with pytest.raises(ReconcilerError) as caught:
        plan_from_dict(doc)
    assert message in caught.value.message
