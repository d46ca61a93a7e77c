"""Warnings: things in a valid spec that may not do what its author expects (pure)."""

from __future__ import annotations

from reconciler.spec.loader import Spec


def warnings(spec: Spec) -> list[str]:
    """Messages for the plan to show; never errors."""
    out: list[str] = []
    for group_set in spec.document.group_sets:
        if group_set.auto_leader is None or group_set.state == "absent":
            continue
        for group in group_set.groups:
            if group.leader is not None and group.state != "absent":
                out.append(f"auto_leader: {group_set.auto_leader} on {group_set.name!r} may "
                           f"replace the declared leader of {group.name!r} when members change")
    return out
