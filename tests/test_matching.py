"""matching.match: SIS id, then name, then previous names; never a guess."""

from __future__ import annotations

import pytest

from reconciler.errors import StateError
from reconciler.matching import match
from reconciler.model import Group


def have(name: str, cid: int, sis: str | None = None) -> Group:
    return Group(name=name, canvas_id=cid, sis_id=sis)


def want(name: str, sis: str | None = None, *previous: str, absent: bool = False) -> Group:
    return Group(name=name, sis_id=sis, previous_names=previous, absent=absent)


CURRENT = [have("Pair 1", 1), have("Pair 2", 2, "p2"), have("Pair 3", 3)]


def matched(*wanted: Group) -> list[int | None]:
    return [h.canvas_id if h else None for _, h in match(wanted, CURRENT, "set 'L'", "group")]


@pytest.mark.parametrize(("wanted", "ids"), [
    ((want("Pair 1"),), [1]),
    ((want("Renamed", "p2"),), [2]),                       # by SIS id, whatever the name
    ((want("Lab Pair 1", None, "Pair 1"),), [1]),          # by a previous name
    ((want("Lab Pair 1", None, "Gone", "Pair 1"),), [1]),  # the first previous name that exists
    ((want("Pair 1"), want("Lab Pair 1", None, "Pair 1")), [1, None]),  # a current name wins
    ((want("Pair 2"),), [2]),                              # its SIS id is claimed by nobody...
    ((want("X", "p2"), want("Pair 2")), [2, None]),         # ...but here its SIS id is taken
    ((want("Pair 3", "p9", absent=True),), [None]),        # absent with an SIS id: SIS only
    ((want("New", None, "Pair 2"), want("Other", "p2")), [None, 2]),
])
def test_match(wanted: tuple[Group, ...], ids: list[int | None]) -> None:
    assert matched(*wanted) == ids


def test_a_name_held_twice_is_an_error_never_a_guess() -> None:
    twins = [have("T", 1), have("T", 2)]
    with pytest.raises(StateError, match="set 'L' has 2 groups named 'T' \\(ids 1, 2\\)"):
        match([want("T")], twins, "set 'L'", "group")
    with pytest.raises(StateError, match="2 groups named 'T'"):
        match([want("New", None, "T")], twins, "set 'L'", "group")
