"""apply_plan: request bodies, created ids flowing to dependants, failure isolation,
dependent skipping, ambiguous-create adoption and interruption."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from canvas_fakes import BASE, FakeAPI, FakePlan, make_client

from reconciler.canvas import ApplyReport, OpOutcome, apply_plan
from reconciler.errors import (
    AmbiguousWriteError,
    CanvasAuthError,
    CanvasError,
    CanvasNotFoundError,
)
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    FieldChange,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
    sort_key,
)

CATS = "/api/v1/courses/101/group_categories"


def _ambiguous(path: str) -> AmbiguousWriteError:
    return AmbiguousWriteError("POST", path, None, "read timed out")


def _failure(path: str, status: int = 400) -> CanvasError:
    return CanvasError("POST", path, status, "name: Name is required")


def _members(set_name: str, group: str, gid: int | None, ids: set[int]) -> SetMembers:
    return SetMembers(set_name, group, gid, frozenset(ids), frozenset(ids), frozenset())


def _run(api: FakeAPI, ops: list[Operation], **plan: Any) -> ApplyReport:
    return apply_plan(api, FakePlan(101, tuple(sorted(ops, key=sort_key)), **plan))


BODY_CASES: list[tuple[str, Operation, tuple[str, str, list[tuple[str, str]]]]] = [
    ("create set, None omitted, sis mapped",
     CreateGroupSet("P", {"self_signup": "enabled", "auto_leader": None, "group_limit": 4,
                          "sis_id": "S1"}),
     ("POST", CATS, [("name", "P"), ("self_signup", "enabled"), ("group_limit", "4"),
                     ("sis_group_category_id", "S1")])),
    ("update set sends every setting a PUT resets, None cleared, unchanged sis id left out",
     UpdateGroupSet("P", 41, (FieldChange("group_limit", 4, None),),
                    {"name": "P", "self_signup": None, "auto_leader": "first",
                     "group_limit": 4, "sis_id": "S1"}),
     ("PUT", "/api/v1/group_categories/41",
      [("self_signup", ""), ("auto_leader", "first"), ("group_limit", "")])),
    ("update set sends a changed sis id (cleared as blank) and a new name",
     UpdateGroupSet("P2", 41, (FieldChange("name", "P", "P2"), FieldChange("sis_id", "S1", None)),
                    {"name": "P", "self_signup": "enabled", "auto_leader": None,
                     "group_limit": 3, "sis_id": "S1"}),
     ("PUT", "/api/v1/group_categories/41",
      [("name", "P2"), ("self_signup", "enabled"), ("auto_leader", ""), ("group_limit", "3"),
       ("sis_group_category_id", "")])),
    ("create group in existing set",
     CreateGroup("Q", "T1", {"description": "d", "join_level": "invitation_only",
                             "max_membership": 5, "sis_id": "G1"}, set_id=42),
     ("POST", "/api/v1/group_categories/42/groups",
      [("name", "T1"), ("description", "d"), ("max_membership", "5"),
       ("join_level", "invitation_only"), ("sis_group_id", "G1")])),
    ("update group sends changes only",
     UpdateGroup("Q", "T1", 501, (FieldChange("description", "a", None),
                                  FieldChange("max_membership", None, 3))),
     ("PUT", "/api/v1/groups/501", [("description", ""), ("max_membership", "3")])),
    ("members sorted and repeated",
     _members("Q", "T1", 501, {9003, 9001, 9002}),
     ("PUT", "/api/v1/groups/501",
      [("members[]", "9001"), ("members[]", "9002"), ("members[]", "9003")])),
    ("empty members sent as one blank members[]",
     SetMembers("Q", "T1", 501, frozenset(), frozenset(), frozenset({9001})),
     ("PUT", "/api/v1/groups/501", [("members[]", "")])),
    ("set leader", SetLeader("Q", "T1", 501, 9001, None),
     ("PUT", "/api/v1/groups/501", [("leader[id]", "9001")])),
    ("clear leader", SetLeader("Q", "T1", 501, None, 9001),
     ("PUT", "/api/v1/groups/501", [("leader", "")])),
    ("delete group", DeleteGroup("Q", "T1", 501, 3), ("DELETE", "/api/v1/groups/501", [])),
    ("delete set", DeleteGroupSet("Q", 42, 2), ("DELETE", "/api/v1/group_categories/42", [])),
]


@pytest.mark.parametrize(("op", "call"), [c[1:] for c in BODY_CASES],
                         ids=[c[0] for c in BODY_CASES])
def test_request_bodies(op: Operation, call: tuple[str, str, list[tuple[str, str]]]) -> None:
    api = FakeAPI()
    report = _run(api, [op])
    assert report.ok, report.as_dict()
    assert api.writes() == [call]


@responses.activate
def test_wire_bodies_through_the_real_client() -> None:
    responses.put(f"{BASE}/api/v1/groups/501", json={"id": 501})
    responses.put(f"{BASE}/api/v1/group_categories/41", json={"id": 41})
    client, _ = make_client()
    ops: list[Operation] = [
        UpdateGroupSet("P", 41, (), {"self_signup": None, "auto_leader": None,
                                     "group_limit": 3}),
        SetMembers("P", "T", 501, frozenset(), frozenset(), frozenset({1})),
    ]
    assert apply_plan(client, FakePlan(101, tuple(ops))).ok
    bodies = [c.request.body for c in responses.calls]
    assert bodies == ["self_signup=&auto_leader=&group_limit=3", "members%5B%5D="]


def test_created_set_id_flows_to_groups_members_and_leader() -> None:
    api = FakeAPI(script={("POST", CATS): [{"id": 77, "name": "New"}],
                          ("POST", "/api/v1/group_categories/77/groups"): [{"id": 88}]})
    ops: list[Operation] = [
        CreateGroupSet("New", {}), CreateGroup("New", "G", {}),
        _members("New", "G", None, {5, 6}), SetLeader("New", "G", None, 5, None)]
    report = _run(api, ops)
    assert report.ok
    assert [(m, p) for m, p, _ in api.writes()] == [
        ("POST", CATS), ("POST", "/api/v1/group_categories/77/groups"),
        ("PUT", "/api/v1/groups/88"), ("PUT", "/api/v1/groups/88")]
    assert report.created_sets == {"New": 77}
    assert report.created_groups == {("New", "G"): 88}
    assert report.as_dict()["created_groups"] == [{"set": "New", "group": "G", "canvas_id": 88}]


def test_failed_set_create_skips_dependants_but_not_independent_ops() -> None:
    api = FakeAPI(script={("POST", CATS): [_failure(CATS)]})
    ops: list[Operation] = [
        CreateGroupSet("New", {}), CreateGroup("New", "G", {}),
        _members("New", "G", None, {5}), SetLeader("New", "G", None, 5, None),
        _members("Old", "H", 600, {7}), DeleteGroup("Old", "X", 601, 0)]
    report = _run(api, ops)

    assert not report.ok
    assert report.counts() == {"done": 2, "failed": 1, "skipped": 3}
    assert "Name is required" in report.failed[0][1]
    assert [op.describe() for op, _ in report.skipped] == [
        "create group 'G' in 'New'", "set members of 'G' in 'New': +1 -0",
        "set leader of 'G' in 'New'"]
    assert all("was not created" in reason for _, reason in report.skipped)
    assert [p for _, p, _ in api.writes()][1:] == ["/api/v1/groups/600", "/api/v1/groups/601"]


def test_failed_group_create_skips_its_members_and_leader_only() -> None:
    path = "/api/v1/group_categories/42/groups"
    api = FakeAPI(script={("POST", path): [_failure(path), {"id": 90}]})
    ops: list[Operation] = [
        CreateGroup("Q", "A", {}, set_id=42), CreateGroup("Q", "B", {}, set_id=42),
        _members("Q", "A", None, {1}), _members("Q", "B", None, {2}),
        SetLeader("Q", "A", None, 1, None)]
    report = _run(api, ops)
    assert [op.key for op, _ in report.done] == [("Q", "B"), ("Q", "B")]
    assert [op.key for op, _ in report.failed] == [("Q", "A")]
    assert len(report.skipped) == 2


def test_failed_members_skip_the_leader() -> None:
    api = FakeAPI(script={("PUT", "/api/v1/groups/501"): [
        CanvasNotFoundError("PUT", "/api/v1/groups/501", 404, "gone")]})
    ops: list[Operation] = [_members("Q", "T", 501, {1}), SetLeader("Q", "T", 501, 1, None)]
    report = _run(api, ops)
    assert report.counts() == {"done": 0, "failed": 1, "skipped": 1}
    assert "leader must be a member" in report.skipped[0][1]


def test_ambiguous_set_create_is_adopted_not_duplicated() -> None:
    api = FakeAPI(script={
        ("POST", CATS): [_ambiguous(CATS)],
        ("GET", CATS): [[{"id": 41, "name": "Old"}, {"id": 77, "name": "New"}]]})
    report = _run(api, [CreateGroupSet("New", {}), CreateGroup("New", "G", {})],
                  known_set_ids=frozenset({41}))
    assert report.ok
    assert "adopted id=77" in report.done[0][1]
    posts = [p for m, p, _ in api.calls if m == "POST"]
    assert posts == [CATS, "/api/v1/group_categories/77/groups"]


def test_ambiguous_group_create_ignores_known_same_named_group() -> None:
    path = "/api/v1/group_categories/42/groups"
    api = FakeAPI(script={
        ("POST", path): [_ambiguous(path)],
        ("GET", path): [[{"id": 500, "name": "T"}, {"id": 501, "name": "T"}]]})
    report = _run(api, [CreateGroup("Q", "T", {}, set_id=42)],
                  known_group_ids=frozenset({500}))
    assert report.ok and report.created_groups == {("Q", "T"): 501}
    assert sum(1 for m, _, _ in api.calls if m == "POST") == 1


def test_ambiguous_create_not_found_is_posted_once_more() -> None:
    api = FakeAPI(script={("POST", CATS): [_ambiguous(CATS), {"id": 78}],
                          ("GET", CATS): [[]]})
    report = _run(api, [CreateGroupSet("New", {})])
    assert report.ok and report.created_sets == {"New": 78}
    assert sum(1 for m, _, _ in api.calls if m == "POST") == 2


def test_ambiguous_twice_fails_without_a_third_post() -> None:
    api = FakeAPI(script={("POST", CATS): [_ambiguous(CATS)], ("GET", CATS): [[]]})
    report = _run(api, [CreateGroupSet("New", {})])
    assert report.counts()["failed"] == 1
    assert sum(1 for m, _, _ in api.calls if m == "POST") == 2


def test_ambiguous_create_with_two_new_candidates_is_not_guessed() -> None:
    path = "/api/v1/group_categories/42/groups"
    api = FakeAPI(script={("POST", path): [_ambiguous(path)],
                          ("GET", path): [[{"id": 1, "name": "T"}, {"id": 2, "name": "T"}]]})
    report = _run(api, [CreateGroup("Q", "T", {}, set_id=42)])
    assert "not guessing" in report.failed[0][1]
    assert sum(1 for m, _, _ in api.calls if m == "POST") == 1


def test_sis_create_auth_failure_mentions_canvas_quirk() -> None:
    api = FakeAPI(script={("POST", CATS): [CanvasAuthError(
        "POST", CATS, 401, "You must have manage_sis permission to set sis attributes")]})
    report = _run(api, [CreateGroupSet("New", {"sis_id": "S"})])
    assert "may now exist without its SIS id" in report.failed[0][1]


@pytest.mark.parametrize(("op", "method", "path", "status", "hinted"), [
    (UpdateGroupSet("Q", 42, (FieldChange("sis_id", None, "S"),), {"name": "Q", "sis_id": "S"}),
     "PUT", "/api/v1/group_categories/42", 500, True),
    (UpdateGroup("Q", "T", 7, (FieldChange("sis_id", None, "G"),)),
     "PUT", "/api/v1/groups/7", 401, True),
    (UpdateGroup("Q", "T", 7, (FieldChange("description", None, "d"),)),
     "PUT", "/api/v1/groups/7", 500, False),
])
def test_sis_id_write_failures_point_at_manage_sis(op: Operation, method: str, path: str,
                                                   status: int, hinted: bool) -> None:
    error: CanvasError = (CanvasAuthError(method, path, status, "not allowed") if status == 401
                          else _failure(path, status))
    report = _run(FakeAPI(script={(method, path): [error]}), [op])
    assert ("manage_sis permission" in report.failed[0][1]) is hinted


def test_unknown_setting_fails_the_op() -> None:
    api = FakeAPI()
    report = _run(api, [CreateGroupSet("New", {"colour": "red"})])
    assert "unsupported group set setting(s): colour" in report.failed[0][1]
    assert api.calls == []


def test_missing_set_id_fails_clearly() -> None:
    report = _run(FakeAPI(), [CreateGroup("Nowhere", "T", {})])
    assert "no Canvas id known for group set 'Nowhere'" in report.failed[0][1]


def test_should_stop_skips_the_rest_as_interrupted() -> None:
    api = FakeAPI()
    seen: list[tuple[str, str]] = []
    ops: list[Operation] = [DeleteGroup("Q", n, i, 0) for i, n in enumerate("ABC", 1)]

    def progress(op: Operation, outcome: OpOutcome) -> None:
        seen.append((op.key[1], outcome.status))

    report = apply_plan(api, FakePlan(101, tuple(ops)), on_progress=progress,
                        should_stop=lambda: len(api.calls) >= 1)
    assert seen == [("A", "done"), ("B", "skipped"), ("C", "skipped")]
    assert [d for _, d in report.skipped] == ["interrupted", "interrupted"]
    assert len(api.calls) == 1


def test_report_as_dict_is_json_safe_and_counts() -> None:
    api = FakeAPI(script={("PUT", "/api/v1/groups/2"): [
        CanvasError("PUT", "/api/v1/groups/2", 500, "An error occurred.")]})
    report = _run(api, [_members("Q", "A", 1, {5}), _members("Q", "B", 2, {6})])
    data = json.loads(json.dumps(report.as_dict()))
    assert data["ok"] is False
    assert data["counts"] == {"done": 1, "failed": 1, "skipped": 0}
    assert data["done"][0]["op"]["members"] == [5]
    assert "HTTP 500" in data["failed"][0]["detail"]


@pytest.mark.parametrize("op", [DeleteGroup("Q", "T", 501, 0), DeleteGroupSet("Q", 42, 0)])
def test_delete_of_something_already_gone_is_done(op: Operation) -> None:
    path = "/api/v1/groups/501" if isinstance(op, DeleteGroup) else \
        "/api/v1/group_categories/42"
    api = FakeAPI(script={("DELETE", path): [
        CanvasNotFoundError("DELETE", path, 404, "not found")]})
    report = _run(api, [op])
    assert report.ok and "already gone" in report.done[0][1]


def test_ambiguous_create_with_sis_id_adopts_only_the_matching_sis() -> None:
    path = "/api/v1/group_categories/42/groups"
    api = FakeAPI(script={
        ("POST", path): [_ambiguous(path)],
        ("GET", path): [[{"id": 1, "name": "T", "sis_group_id": None},
                         {"id": 2, "name": "T", "sis_group_id": "G9"}]]})
    report = _run(api, [CreateGroup("Q", "T", {"sis_id": "G9"}, set_id=42)])
    assert report.created_groups == {("Q", "T"): 2}


def test_report_lines_for_the_cli() -> None:
    api = FakeAPI(script={("PUT", "/api/v1/groups/2"): [
        CanvasError("PUT", "/api/v1/groups/2", 500, "An error occurred.")]})
    report = _run(api, [_members("Q", "A", 1, {5}), _members("Q", "B", 2, {6})])
    lines = report.lines()
    assert lines[0].startswith("failed  set members of 'B' in 'Q'")
    assert lines[-1] == "1 done, 1 failed, 0 skipped"


def test_an_unexpected_error_fails_its_operation_and_keeps_the_report() -> None:
    """A bug inside one operation must not lose the account of what was already written."""
    api = FakeAPI(script={("PUT", "/api/v1/groups/2"): [RuntimeError("boom")]})
    ops: list[Operation] = [_members("Q", "A", 1, {5}), _members("Q", "B", 2, {6}),
                            DeleteGroup("Q", "X", 3, 0)]
    report = _run(api, ops)
    assert report.counts() == {"done": 2, "failed": 1, "skipped": 0}
    assert report.failed[0][1] == "internal error: RuntimeError: boom"


def test_an_operation_without_a_handler_fails_instead_of_raising() -> None:
    class Strange(DeleteGroup):
        pass

    report = _run(FakeAPI(), [Strange("Q", "T", 1, 0), DeleteGroup("Q", "U", 2, 0)])
    assert report.failed[0][1] == "internal error: no handler for Strange"
    assert report.counts()["done"] == 1
