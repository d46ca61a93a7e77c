"""Natural order of names, and where the plan uses it."""

from __future__ import annotations

from reconciler.natural import natural_key
from reconciler.ops import CreateGroup, sort_key
from reconciler.wording import plural


def test_numbers_compare_as_numbers_and_case_is_ignored() -> None:
    names = ["Pair 10", "pair 2", "Pair 1", "Pair 1b", "Lab", "Pair 01", "10 Team", "9 Team"]
    assert sorted(names, key=natural_key) == [
        "9 Team", "10 Team", "Lab", "Pair 01", "Pair 1", "Pair 1b", "pair 2", "Pair 10"]


def test_distinct_names_never_tie() -> None:
    assert natural_key("Team 01") != natural_key("Team 1")
    assert natural_key("a") != natural_key("A")


def test_the_plan_orders_groups_naturally() -> None:
    ops = [CreateGroup("S", f"Group {n}", {}) for n in (10, 2, 1)]
    assert [op.group_name for op in sorted(ops, key=sort_key)] == [
        "Group 1", "Group 2", "Group 10"]


def test_plural() -> None:
    assert [plural(n, "group") for n in (0, 1, 2)] == ["0 groups", "1 group", "2 groups"]
    assert plural(2, "entry", "entries") == "2 entries"
