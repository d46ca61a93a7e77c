"""Guards: what a plan may not do without being told. Pure; see docs/safety.md.

- Deletions of groups and group sets need `allow_delete` (they destroy discussions, files
  and submissions).
- Removal thresholds, per set: a plan that ends more than `max_removal_pct` of the set's
  current memberships (once it has `min_memberships`), or deletes more than
  `max_delete_pct` of its groups (once it has `min_groups`), needs `force`. A membership
  ends when its user is left in no group of the set: a move between groups is not a
  removal. Deleting a whole set (`state: absent`, an explicit act) is not measured here;
  it needs `allow_delete`. A set's own `guards:` in the spec win over the run's limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from reconciler.errors import UnsafePlanError
from reconciler.matching import match
from reconciler.model import GroupSet, Guards
from reconciler.ops import DeleteGroup, DeleteGroupSet, ImportMembers, Operation, SetMembers
from reconciler.plan import Plan

DELETE_WARNING = ("deleting a Canvas group destroys its discussions, files and submissions. "
                  "Re-run with --allow-delete to permit it.")


@dataclass(frozen=True)
class Limits:
    max_removal_pct: float = 25.0
    max_delete_pct: float = 20.0
    min_memberships: int = 20
    min_groups: int = 8

    def overridden(self, guards: Guards) -> Limits:
        """These limits, with the ones a set's spec writes taking their place."""
        given = {k: v for k, v in guards.model_dump().items() if v is not None}
        return replace(self, **given)


DEFAULT_LIMITS = Limits()


def check_safety(plan: Plan, *, allow_delete: bool, force: bool = False,
                 limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise UnsafePlanError carrying the plan and every reason, with the numbers."""
    problems: list[str] = []
    if plan.deletions() and not allow_delete:
        problems.append(deletion_message(plan))
    if not force:
        problems.extend(f"{line}; re-run with --force to permit it"
                        for line in threshold_breaches(plan, limits))
    if problems:
        raise UnsafePlanError("\n".join(problems), plan)


def threshold_warnings(plan: Plan, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """The breaches as plan warnings (a pull request sees them before apply refuses)."""
    return [f"{line}; apply will refuse without --force"
            for line in threshold_breaches(plan, limits)]


# --- deletions ----------------------------------------------------------------------------

def deletion_message(plan: Plan) -> str:
    groups = [op for op in plan.deletions() if isinstance(op, DeleteGroup)]
    sets = [op for op in plan.deletions() if isinstance(op, DeleteGroupSet)]
    parts = []
    if groups:
        parts.append(f"{_count(len(groups), 'group')} ({_groups_by_set(groups)})")
    if sets:
        names = ", ".join(f"{op.set_name!r} with {_count(op.group_count, 'group')}"
                          for op in sets)
        parts.append(f"{_count(len(sets), 'group set')} ({names})")
    submitted = sum(op.has_submissions for op in groups)
    held = f" ({_count(submitted, 'group')} with submissions)" if submitted else ""
    return f"the plan deletes {' and '.join(parts)}{held}; {DELETE_WARNING}"


def _groups_by_set(groups: list[DeleteGroup]) -> str:
    by_set: dict[str, list[str]] = {}
    for op in groups:
        by_set.setdefault(op.set_name, []).append(op.group_name)
    return "; ".join(f"{', '.join(names)} in {name!r}" for name, names in by_set.items())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- thresholds ---------------------------------------------------------------------------

def threshold_breaches(plan: Plan, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """One line per set and limit the plan goes over, e.g. "Project Teams: 31 of 96
    memberships (32%) would be removed; the limit is 25%"."""
    owners = {id(have): want for want, have in match(
        plan.desired.group_sets, plan.baseline.group_sets, "the plan", "group set")
        if have is not None}
    deleted_sets = {op.canvas_id for op in plan.operations if isinstance(op, DeleteGroupSet)}
    out: list[str] = []
    for gset in plan.baseline.group_sets:
        if gset.canvas_id in deleted_sets:
            continue
        want = owners.get(id(gset))
        set_limits = limits.overridden(want.guards) if want is not None else limits
        ops = _ops_in(plan.operations, gset)
        imported = {uid for op in plan.operations if isinstance(op, ImportMembers)
                    and op.set_id == gset.canvas_id for uid in op.add}
        out.extend(_removals(gset, ops, set_limits, imported))
        out.extend(_deletions(gset, ops, set_limits))
    return out


def _ops_in(ops: Iterable[Operation], gset: GroupSet) -> list[SetMembers | DeleteGroup]:
    """The membership writes and group deletes of one set's existing groups (a new group
    has nobody to lose)."""
    ids = {g.canvas_id for g in gset.groups}
    return [op for op in ops if isinstance(op, SetMembers | DeleteGroup) and op.canvas_id in ids]


def _removals(gset: GroupSet, ops: list[SetMembers | DeleteGroup], limits: Limits,
              imported: set[int]) -> list[str]:
    total = sum(len(g.members or ()) for g in gset.groups)
    if total < limits.min_memberships or total == 0:
        return []
    staying = imported | {uid for op in ops if isinstance(op, SetMembers) for uid in op.add}
    members = {g.canvas_id: g.members or frozenset() for g in gset.groups}
    ended = sum(1 for op in ops for uid in _leaving(op, members) if uid not in staying)
    pct = 100.0 * ended / total
    if pct <= limits.max_removal_pct:
        return []
    return [f"{gset.name}: {ended} of {total} memberships ({pct:.0f}%) would be removed; "
            f"the limit is {limits.max_removal_pct:g}%"]


def _leaving(op: SetMembers | DeleteGroup, members: dict[int | None, frozenset[int]]
             ) -> frozenset[int]:
    if isinstance(op, DeleteGroup):
        return members.get(op.canvas_id, frozenset())
    return members.get(op.canvas_id, frozenset()) - op.members


def _deletions(gset: GroupSet, ops: list[SetMembers | DeleteGroup], limits: Limits) -> list[str]:
    total = len(gset.groups)
    if total < limits.min_groups or total == 0:
        return []
    deleted = sum(isinstance(op, DeleteGroup) for op in ops)
    pct = 100.0 * deleted / total
    if pct <= limits.max_delete_pct:
        return []
    return [f"{gset.name}: {deleted} of {total} groups ({pct:.0f}%) would be deleted; the "
            f"limit is {limits.max_delete_pct:g}%"]
