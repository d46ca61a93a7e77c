"""What moved in Canvas since a plan was made: its baseline against Canvas now. Pure.

A saved plan is applied only if everything it depends on is as it was: the sets it touches
(their settings, their groups, each group's fields, members and leader), and the absence of
a set under each name it creates. Each difference is one line a person can act on ("Team
2's members changed since the plan was made").
"""

from __future__ import annotations

from reconciler.model import GROUP_FIELDS, GROUP_SET_FIELDS, CourseState, Group, GroupSet
from reconciler.ops import CreateGroupSet
from reconciler.plan import Plan


def changes_since(plan: Plan, now: CourseState) -> list[str]:
    """Every way Canvas differs from the plan's baseline, as sentences; [] when none."""
    sets_now = {s.canvas_id: s for s in now.group_sets}
    out: list[str] = []
    for then in plan.baseline.group_sets:
        current = sets_now.get(then.canvas_id)
        if current is None:
            out.append(f"group set {then.name!r} was deleted in Canvas")
        else:
            out.extend(_set_changes(then, current))
    baseline_ids = {s.canvas_id for s in plan.baseline.group_sets}
    for op in plan.operations:
        if isinstance(op, CreateGroupSet):
            out.extend(f"a group set named {op.set_name!r} now exists in Canvas (id "
                       f"{s.canvas_id})" for s in now.group_sets
                       if s.name == op.set_name and s.canvas_id not in baseline_ids)
    return out


def _set_changes(then: GroupSet, now: GroupSet) -> list[str]:
    out = [f"group set {then.name!r}: {field} changed in Canvas"
           for field in ("name", *sorted(GROUP_SET_FIELDS)) if getattr(then, field) !=
           getattr(now, field)]
    groups_now = {g.canvas_id: g for g in now.groups}
    ids_then = {g.canvas_id for g in then.groups}
    for group in then.groups:
        current = groups_now.get(group.canvas_id)
        if current is None:
            out.append(f"group {group.name!r} in {then.name!r} was deleted in Canvas")
        else:
            out.extend(_group_changes(then.name, group, current))
    out.extend(f"group {g.name!r} was created in {then.name!r} in Canvas"
               for g in now.groups if g.canvas_id not in ids_then)
    return out


def _group_changes(set_name: str, then: Group, now: Group) -> list[str]:
    where = f"group {then.name!r} in {set_name!r}"
    out = [f"{where}: {field} changed in Canvas"
           for field in ("name", *sorted(GROUP_FIELDS)) if getattr(then, field) !=
           getattr(now, field)]
    if then.members != now.members:
        out.append(f"{then.name}'s members changed since the plan was made")
    if then.leader != now.leader:
        out.append(f"the leader of {where} changed since the plan was made")
    return out
