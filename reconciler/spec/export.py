"""CourseState -> spec YAML: the live course written so that every field is managed.

Loading and resolving the output against the same roster gives back the same state (only
non-protected sets; members named by `members_by`, or `{canvas_id: n}` when that
identifier is hidden or shared by two users).
"""

from __future__ import annotations

from typing import Any

import yaml

from reconciler.model import CourseState, Group, GroupSet, MemberKind, Roster, User
from reconciler.semantics import capacity
from reconciler.spec.identity import Directory


class _FlowList(list[Any]):
    """A list written inline: `members: [s01, s02]`."""


class _Dumper(yaml.SafeDumper):
    pass


def _flow(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_FlowList, _flow)


class _Namer:
    def __init__(self, roster: Roster, kind: MemberKind) -> None:
        self.roster, self.kind = roster, kind
        self.users = roster.by_id()
        self.directory = Directory(roster)

    def name(self, uid: int) -> Any:
        if self.kind == "canvas_id":
            return uid
        user: User | None = self.users.get(uid)
        ident = self.roster.identifier(user, self.kind) if user else None
        if ident and len(self.directory.find((self.kind, ident))) == 1:
            return ident
        return {"canvas_id": uid}


def _sort_key(entry: Any) -> tuple[int, str]:
    return (1, str(entry["canvas_id"])) if isinstance(entry, dict) else (0, str(entry))


def _group(group: Group, namer: _Namer, set_limit: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": group.name, **_previous(group), "description": group.description,
        "max_membership": group.max_membership, "join_level": group.join_level,
        "sis_id": group.sis_id,
        "leader": None if group.leader is None else namer.name(group.leader),
    }
    if group.join_level is None:  # Canvas always has one; a null cannot be written back
        del out["join_level"]
    room = capacity(group.max_membership, set_limit)
    if room is not None and len(group.members or ()) > room:
        # Canvas holds more members than the limit (an import, a limit lowered later); a
        # spec cannot say both, so the limit is left unmanaged
        del out["max_membership"]
    if group.members is not None:
        out["members"] = _FlowList(sorted((namer.name(u) for u in group.members), key=_sort_key))
    return out


def _previous(entity: Group | GroupSet) -> dict[str, Any]:
    return {"previous_names": _FlowList(entity.previous_names)} if entity.previous_names else {}


def _group_set(group_set: GroupSet, namer: _Namer) -> dict[str, Any]:
    if group_set.absent:
        return {"name": group_set.name, "state": "absent"}
    return {
        "name": group_set.name, **_previous(group_set), "self_signup": group_set.self_signup,
        "auto_leader": group_set.auto_leader, "group_limit": group_set.group_limit,
        "sis_id": group_set.sis_id, "members_mode": "exact", "unmanaged_groups": "delete",
        "groups": [_group(g, namer, group_set.group_limit) for g in group_set.groups
                   if not g.absent],
    }


def export_spec(state: CourseState, roster: Roster, *, course: int | str,
                members_by: MemberKind = "login_id",
                header: str = "Exported by `reconciler export`") -> str:
    """The course as spec text (protected sets such as Canvas's own are left out). A set
    or group with previous_names keeps them; an absent set is written `state: absent`."""
    namer = _Namer(roster, members_by)
    document = {
        "course": course,
        "members_by": members_by,
        "group_sets": [_group_set(s, namer) for s in state.group_sets if not s.protected],
    }
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
    return f"# {header} from course {course}.\n{body}"
