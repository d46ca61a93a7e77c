"""Every dispatch table covers every Operation type: apply's handlers, the text renderers and
the plan document's readers. A new operation type fails here until each table has it."""

from __future__ import annotations

from typing import get_args

import pytest

from reconciler.canvas.apply import HANDLERS
from reconciler.document import READERS, op_from_dict
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    FieldChange,
    ImportGroup,
    ImportMembers,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.render.text import FORMATTERS, op_lines

OPERATION_TYPES = set(get_args(Operation))
EXAMPLES: list[Operation] = [
    CreateGroupSet("S", {"name": "S", "group_limit": 3}),
    UpdateGroupSet("S", 1, (FieldChange("group_limit", 3, 4),), {"name": "S"}),
    DeleteGroupSet("S", 1, 2),
    CreateGroup("S", "G", {"name": "G"}, set_id=1),
    UpdateGroup("S", "G", 2, (FieldChange("description", None, "d"),)),
    DeleteGroup("S", "G", 2, 1),
    SetMembers("S", "G", 2, frozenset({5}), frozenset({5}), frozenset(), "additive"),
    SetLeader("S", "G", None, 5, None),
    ImportMembers("S", 1, (ImportGroup("G", 2, frozenset({5})),
                           ImportGroup("New", None, frozenset({6, 7}), creates=True))),
]


def test_the_examples_cover_every_operation_type() -> None:
    assert {type(op) for op in EXAMPLES} == OPERATION_TYPES


def test_apply_has_a_handler_for_every_operation() -> None:
    assert set(HANDLERS) == OPERATION_TYPES


def test_text_has_a_formatter_for_every_operation() -> None:
    assert set(FORMATTERS) == OPERATION_TYPES


def test_the_document_reads_every_operation_back() -> None:
    assert len(READERS) == len(OPERATION_TYPES)
    assert {(op.as_dict()["action"], op.as_dict()["type"]) for op in EXAMPLES} == set(READERS)


@pytest.mark.parametrize("op", EXAMPLES, ids=lambda op: type(op).__name__)
def test_each_operation_round_trips_and_renders(op: Operation) -> None:
    assert op_from_dict(op.as_dict(), "op") == op
    assert op_lines(op, {5: "s05"})[0][0] in "+~-"
