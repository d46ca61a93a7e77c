"""An in-memory executor of plans with Canvas's semantics. A test helper, not product code.

- creates get fresh ids; apply-style key -> id maps are filled as creates succeed;
- a category update sets every setting (what the PUT omits is reset to null);
- PUT members[] replaces the member list; adding a user to a group removes them from the
  other groups of the same set (one group per set); removed members lose leadership;
- deleting a set deletes its groups;
- a set's group_limit flows into every group's max_membership when the limit changes, and a
  group saved (created or PUT) without max_membership takes the limit (groups.md §4.2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.plan import Plan

SET_SETTINGS = ("name", "self_signup", "auto_leader", "group_limit", "sis_id")
GROUP_SETTINGS = ("name", "description", "max_membership", "join_level", "sis_id")


@dataclass
class World:
    sets: dict[int, dict[str, Any]]
    groups: dict[int, dict[str, Any]]
    set_keys: dict[str, int]
    group_keys: dict[tuple[str, str], int]
    next_id: int = 10_000

    def fresh(self) -> int:
        self.next_id += 1
        return self.next_id

    def group_id(self, op: SetMembers | SetLeader) -> int:
        # A group created earlier in the plan is named by key, like apply does.
        if op.canvas_id is not None:
            return op.canvas_id
        return self.group_keys[(op.set_name, op.group_name)]


def _load(current: CourseState, plan: Plan) -> World:
    sets: dict[int, dict[str, Any]] = {}
    groups: dict[int, dict[str, Any]] = {}
    for gset in current.group_sets:
        assert gset.canvas_id is not None
        sets[gset.canvas_id] = {**{f: getattr(gset, f) for f in SET_SETTINGS},
                                "protected": gset.protected}
        for group in gset.groups:
            assert group.canvas_id is not None
            groups[group.canvas_id] = {**{f: getattr(group, f) for f in GROUP_SETTINGS},
                                       "set_id": gset.canvas_id, "leader": group.leader,
                                       "members": set(group.members or ())}
    top = max([*sets, *groups, 10_000])
    return World(sets, groups, dict(plan.set_ids), dict(plan.group_ids), next_id=top)


def _create_set(world: World, op: CreateGroupSet) -> None:
    sid = world.fresh()
    world.sets[sid] = {**{f: op.settings.get(f) for f in SET_SETTINGS}, "protected": False}
    world.set_keys[op.set_name] = sid


def _update_set(world: World, op: UpdateGroupSet) -> None:
    data = world.sets[op.canvas_id]
    old_limit = data["group_limit"]
    data.update({f: op.settings.get(f) for f in SET_SETTINGS})
    world.set_keys[op.set_name] = op.canvas_id
    if data["group_limit"] != old_limit:
        for group in world.groups.values():
            if group["set_id"] == op.canvas_id:
                group["max_membership"] = data["group_limit"]


def _saved(world: World, gid: int) -> None:
    """A group saved without max_membership takes its set's group_limit."""
    group = world.groups[gid]
    if group["max_membership"] is None:
        group["max_membership"] = world.sets[group["set_id"]]["group_limit"]


def _delete_set(world: World, op: DeleteGroupSet) -> None:
    del world.sets[op.canvas_id]
    for gid in [g for g, data in world.groups.items() if data["set_id"] == op.canvas_id]:
        del world.groups[gid]


def _create_group(world: World, op: CreateGroup) -> None:
    gid = world.fresh()
    world.groups[gid] = {**{f: op.settings.get(f) for f in GROUP_SETTINGS}, "leader": None,
                         "set_id": world.set_keys[op.set_name], "members": set()}
    world.group_keys[(op.set_name, op.group_name)] = gid
    _saved(world, gid)


def _update_group(world: World, op: UpdateGroup) -> None:
    for change in op.changes:
        world.groups[op.canvas_id][change.field] = change.new
    _saved(world, op.canvas_id)


def _delete_group(world: World, op: DeleteGroup) -> None:
    del world.groups[op.canvas_id]


def _drop(group: dict[str, Any], users: set[int]) -> None:
    group["members"] -= users
    if group["leader"] in users:
        group["leader"] = None


def _set_members(world: World, op: SetMembers) -> None:
    gid = world.group_id(op)
    group = world.groups[gid]
    joining = set(op.members) - group["members"]
    for other_id, other in world.groups.items():
        if other_id != gid and other["set_id"] == group["set_id"]:
            _drop(other, joining)
    _drop(group, group["members"] - set(op.members))
    group["members"] = set(op.members)
    _saved(world, gid)


def _set_leader(world: World, op: SetLeader) -> None:
    gid = world.group_id(op)
    world.groups[gid]["leader"] = op.leader
    _saved(world, gid)


_APPLY: dict[type, Callable[[World, Any], None]] = {
    CreateGroupSet: _create_set, UpdateGroupSet: _update_set, DeleteGroupSet: _delete_set,
    CreateGroup: _create_group, UpdateGroup: _update_group, DeleteGroup: _delete_group,
    SetMembers: _set_members, SetLeader: _set_leader,
}


def _dump(world: World, course_id: int) -> CourseState:
    sets = []
    for sid, data in sorted(world.sets.items()):
        groups = tuple(
            Group(**{f: g[f] for f in GROUP_SETTINGS}, leader=g["leader"], canvas_id=gid,
                  members=frozenset(g["members"]))
            for gid, g in sorted(world.groups.items()) if g["set_id"] == sid)
        sets.append(GroupSet(**{f: data[f] for f in SET_SETTINGS}, groups=groups,
                             protected=data["protected"], canvas_id=sid))
    return CourseState(course_id=course_id, group_sets=tuple(sets))


def simulate(current: CourseState, plan: Plan) -> CourseState:
    """Apply `plan` (in its order) to `current` as Canvas would, returning the new state."""
    world = _load(current, plan)
    for op in plan.operations:
        _APPLY[type(op)](world, op)
    return _dump(world, current.course_id)
