"""Many courses in one run: plans side by side on one pool, in order, a failure kept apart."""

from __future__ import annotations

from pathlib import Path

from reconciler import engine
from reconciler.canvas import CanvasClient
from reconciler.errors import SpecError
from reconciler.sandbox import SandboxServer

from .helpers import write_spec

GOOD = """\
    course: {course}
    group_sets:
      - name: Teams
        groups:
          - name: Team 1
            members: [{member}]
    """


def test_courses_plan_side_by_side_in_order_and_a_bad_one_is_reported(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    paths = [write_spec(tmp_path, GOOD.format(course=101, member="s01"), "a.yaml"),
             write_spec(tmp_path, "course: [oops]\ngroup_sets: []\n", "b.yaml"),
             write_spec(tmp_path, GOOD.format(course=202, member="e01"), "c.yaml")]
    client = CanvasClient(sandbox.base_url, sandbox.token, concurrency=4)
    results = list(engine.plan_many(paths, client))
    assert [r.path.name for r in results] == ["a.yaml", "b.yaml", "c.yaml"]
    assert [r.plan.course_id if r.plan else None for r in results] == [101, None, 202]
    assert isinstance(results[1].error, SpecError)
    assert all(r.plan is not None and r.plan.counts().create == 2 for r in results[::2])
