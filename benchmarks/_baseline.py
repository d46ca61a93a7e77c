"""The per-member way, as a benchmark baseline: what the original push-memberships code did.

It reads the roster, the group sets and their groups, then one listing per group for its
members, and writes each difference on its own: one POST per membership to add, one DELETE
per membership to remove (removals first, so a move inside a set is a DELETE then a POST).
Requests go one at a time through a serial CanvasClient, so it gets the same retries and
back-pressure as reconciler and differs only in how it writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks._course import Assignment
from reconciler.canvas.client import CanvasClient


@dataclass(frozen=True)
class BaselineRun:
    """What one baseline sync wrote."""

    sets_created: int
    groups_created: int
    added: int
    removed: int


API = "/api/v1"


def sync_per_member(client: CanvasClient, course_id: int, assign: Assignment) -> BaselineRun:
    """Make Canvas hold `assign` (set -> group -> logins) the per-member way."""
    user_ids = {u["login_id"]: u["id"] for u in client.get_all(
        f"{API}/courses/{course_id}/users", [("enrollment_type[]", "student")])}
    sets = {c["name"]: c["id"]
            for c in client.get_all(f"{API}/courses/{course_id}/group_categories")}
    totals = [0, 0, 0, 0]
    for set_name, groups in assign.items():
        if set_name not in sets:
            sets[set_name] = client.post(f"{API}/courses/{course_id}/group_categories",
                                         {"name": set_name})["id"]
            totals[0] += 1
        wanted = {g: {user_ids[login] for login in logins} for g, logins in groups.items()}
        for i, count in enumerate(_sync_set(client, sets[set_name], wanted), start=1):
            totals[i] += count
    return BaselineRun(*totals)


def _sync_set(client: CanvasClient, set_id: int, wanted: dict[str, set[int]]
              ) -> tuple[int, int, int]:
    """Groups created, members added, members removed in one set."""
    existing = {g["name"]: g["id"]
                for g in client.get_all(f"{API}/group_categories/{set_id}/groups")}
    missing = [name for name in wanted if name not in existing]
    for name in missing:
        existing[name] = client.post(f"{API}/group_categories/{set_id}/groups",
                                     {"name": name})["id"]
    members = {name: {u["id"] for u in client.get_all(f"{API}/groups/{gid}/users")}
               for name, gid in existing.items()}
    removed = added = 0
    for name, gid in existing.items():  # removals first: a move is a DELETE, then a POST
        for user_id in sorted(members[name] - wanted.get(name, set())):
            client.delete(f"{API}/groups/{gid}/users/{user_id}")
            removed += 1
    for name, user_ids in wanted.items():
        for user_id in sorted(user_ids - members[name]):
            client.post(f"{API}/groups/{existing[name]}/memberships", {"user_id": user_id})
            added += 1
    return len(missing), added, removed
