"""Adoption after an ambiguous create takes only an object that is new since the plan was
made: never one whose id was in the current state the plan came from."""

from __future__ import annotations

from typing import Any

from reconciler.canvas import apply_plan
from reconciler.canvas.pool import Pool
from reconciler.diff import diff
from reconciler.document import plan_from_dict, plan_to_dict
from reconciler.errors import AmbiguousWriteError
from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import CreateGroup
from reconciler.plan import build_plan

GROUPS = "/api/v1/group_categories/42/groups"


class _Canvas:
    """Set 42 already holds group 500 "T" (unmanaged, untouched by the plan). The first POST
    fails ambiguously without having run; the second creates group 501."""

    def __init__(self) -> None:
        self.groups: list[dict[str, Any]] = [{"id": 500, "name": "T"}]
        self.posts = 0
        self.pool = Pool(1)

    def post(self, path: str, data: Any = None) -> Any:
        self.posts += 1
        if self.posts == 1:
            raise AmbiguousWriteError("POST", path, 502, "HTML error page: 502 Bad Gateway")
        self.groups.append({"id": 501, "name": "T"})
        return {"id": 501, "name": "T"}

    def get_all(self, path: str, params: Any = None) -> list[Any]:
        assert path == GROUPS
        return list(self.groups)

    def get(self, path: str, params: Any = None) -> Any:
        raise AssertionError(path)

    put = delete = get


def _current() -> CourseState:
    existing = Group(name="T", members=frozenset({7}), canvas_id=500)
    return CourseState(course_id=1, group_sets=(
        GroupSet(name="Q", groups=(existing,), canvas_id=42),))


def test_plan_carries_every_current_id_and_keeps_its_identity() -> None:
    current = _current()
    plan = build_plan(diff(current, current), current, {})
    assert plan.known_set_ids == frozenset({42}) and plan.known_group_ids == frozenset({500})
    assert plan_from_dict(plan_to_dict(plan)) == plan  # the document carries them too


def test_ambiguous_create_never_adopts_a_group_known_at_plan_time() -> None:
    """Bug found: adoption only excluded ids the operations named, so the pre-existing
    group 500 named "T" was adopted as the new "T" (and its members would be overwritten)."""
    current = _current()
    plan = build_plan([CreateGroup("Q", "T", {}, set_id=42)], current, {})
    canvas = _Canvas()

    report = apply_plan(canvas, plan)

    assert report.ok, report.lines()
    assert report.created_groups == {("Q", "T"): 501}
    assert canvas.posts == 2
