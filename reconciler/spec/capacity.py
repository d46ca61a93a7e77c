"""The offline capacity check: a group cannot hold more members than its limit.

Canvas refuses a member beyond a group's max_membership (or, when the group has none, its
set's group_limit), silently inside a members[] write (Q-MEMBERS-REPLACE), so such a spec
could never converge. The limit is known offline when the spec writes it: the group's
`max_membership`, or `max_membership: null` with the set's `group_limit` (Canvas fills an
empty max_membership from it, Q-LIMIT-FILL). A limit held only in Canvas is checked when
the plan is made (diff.py).
"""

from __future__ import annotations

from reconciler.errors import Problem
from reconciler.spec.rosters import Files
from reconciler.spec.schema import GroupSetSpec, GroupSpec, SpecFile
from reconciler.spec.yamlsrc import Located, PathKey
from reconciler.wording import plural


def _limit(group: GroupSpec, set_limit: int | None) -> tuple[int | None, str]:
    if "max_membership" not in group.model_fields_set:
        return None, ""
    if group.max_membership is not None:
        return group.max_membership, f"max_membership: {group.max_membership}"
    return set_limit, f"the set's group_limit: {set_limit}"


def _listed(files: Files, gset: GroupSetSpec, path: PathKey, group: GroupSpec,
            set_path: PathKey) -> tuple[int, PathKey] | None:
    """How many members the spec gives the group, and where they are written."""
    if gset.roster is not None:
        rows = [r for r in files.rosters.get(set_path, ()) if r.group == group.name]
        return len(rows), (*set_path, "roster")
    if group.members_from is not None:
        return len(files.members.get(path, ())), (*path, "members_from")
    if group.members is not None:
        return len(group.members), (*path, "members")
    return None


def check_capacity(document: SpecFile, files: Files, source: Located) -> list[Problem]:
    problems: list[Problem] = []
    for i, gset in enumerate(document.group_sets):
        if gset.state == "absent" or gset.assign is not None:
            continue
        set_path: PathKey = ("group_sets", i)
        set_limit = gset.group_limit if "group_limit" in gset.model_fields_set else None
        for j, group in enumerate(gset.groups):
            path: PathKey = (*set_path, "groups", j)
            limit, why = _limit(group, set_limit)
            listed = _listed(files, gset, path, group, set_path)
            if group.state == "absent" or limit is None or listed is None:
                continue
            count, where = listed
            if count > limit:
                problems.append(source.problem(where, (
                    f"group {group.name!r} is given {plural(count, 'member')}, but it can "
                    f"hold {limit} ({why}); Canvas would leave {count - limit} of them out")))
    return problems
