"""A Django-style view that pushes a course's project teams to Canvas with reconciler.

Plain Python, so it runs anywhere: `TeamMember` stands for a Django model, `team_members`
for its query, `request` for an HttpRequest. In a Django project the view would end with
`return JsonResponse(answer)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import reconciler

SET_NAME = "Project Teams"


@dataclass(frozen=True)
class TeamMember:
    """A row of the app's team table (in Django, a model with these fields)."""

    course_id: int
    team: str
    login_id: str


TEAM_MEMBERS: list[TeamMember] = []  # the app's database, as far as this example needs one


def team_members(course_id: int) -> list[TeamMember]:
    """In Django: TeamMember.objects.filter(course_id=course_id)."""
    return [row for row in TEAM_MEMBERS if row.course_id == course_id]


@cache
def canvas() -> reconciler.CanvasClient:
    """One client per process: it keeps the connections and the throttle budget that
    every request made with this token shares, and it is safe to use from many threads."""
    return reconciler.connect(os.environ["CANVAS_BASE_URL"], os.environ["CANVAS_API_TOKEN"])


def spec_for(course_id: int, rows: Iterable[TeamMember]) -> dict[str, Any]:
    """The spec, as the dict a YAML file would hold: one set, a group per team."""
    teams: dict[str, list[str]] = {}
    for row in rows:
        teams.setdefault(row.team, []).append(row.login_id)
    groups = [{"name": team, "members": logins} for team, logins in sorted(teams.items())]
    return {"course": course_id, "group_sets": [{"name": SET_NAME, "groups": groups}]}


def sync_groups(request: Any, course_id: int) -> dict[str, Any]:
    """GET: what would change in Canvas. POST: make it so, verified. A JSON-able answer."""
    try:
        spec = reconciler.load_spec(spec_for(course_id, team_members(course_id)))
        plan = reconciler.plan(spec, canvas())
        if request.method != "POST":
            return {"status": "planned", "changes": [op.describe() for op in plan.operations]}
        report = reconciler.apply(plan, canvas())
    except reconciler.SpecError as exc:  # e.g. a login the course does not have
        return {"status": "invalid", "problems": [p.message for p in exc.problems]}
    except reconciler.UnsafePlanError as exc:  # e.g. it would delete a group: nothing written
        return {"status": "refused", "error": exc.message}
    except reconciler.ApplyError as exc:  # some writes failed; exc.report says which
        return {"status": "failed", "error": exc.message, "report": exc.report.as_dict()}
    except reconciler.ReconcilerError as exc:  # Canvas unreachable, token refused, ...
        return {"status": "error", "error": exc.message}
    return {"status": "applied", "changes": [op.describe() for op, _ in report.done]}
