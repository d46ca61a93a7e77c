"""render(): golden text and Markdown for a small plan; JSON is the plan document."""

from __future__ import annotations

import json

import pytest

from reconciler.document import plan_to_dict
from reconciler.model import CourseState, Group, GroupSet
from reconciler.ops import (
    CreateGroup,
    CreateGroupSet,
    DeleteGroup,
    DeleteGroupSet,
    FieldChange,
    Operation,
    SetLeader,
    SetMembers,
    UpdateGroup,
    UpdateGroupSet,
)
from reconciler.plan import Plan, build_plan
from reconciler.render import render

CURRENT = CourseState(course_id=7, group_sets=(
    GroupSet(name="Labs", canvas_id=10, groups=(
        Group(name="Lab 1", canvas_id=101, members=frozenset({5})),
        Group(name="Lab 2", canvas_id=102, members=frozenset({3, 8})),
        Group(name="Lab 9", canvas_id=109, members=frozenset({11, 12, 13, 14})),
    )),
))
OPS: list[Operation] = [
    DeleteGroup("Labs", "Lab 9", 109, 4),
    SetLeader("Labs", "Lab 1", 101, 5, None),
    SetMembers("Project Teams", "Team 1", None, frozenset({1, 2}), frozenset({1, 2}),
               frozenset()),
    SetMembers("Labs", "Lab 2", 102, frozenset({7, 8}), frozenset({7}), frozenset({3})),
    CreateGroup("Project Teams", "Team 1", {"name": "Team 1", "description": "Front end"}),
    UpdateGroup("Labs", "Lab 1", 101, (FieldChange("description", "old", "new"),)),
    CreateGroupSet("Project Teams", {"name": "Project Teams", "self_signup": "enabled",
                                     "group_limit": 4, "auto_leader": None}),
]
LABELS = {1: "s01", 2: "s02", 3: "s03", 5: "s05", 7: "s07"}


def make(ops: list[Operation] | None = None, warnings: tuple[str, ...] = ()) -> Plan:
    return build_plan(OPS if ops is None else ops, CURRENT, LABELS, warnings)


GOLDEN_TEXT = """\
reconciler will make these changes to course 7:

+ group set "Project Teams"
    group_limit: 4
    self_signup: "enabled"
~ group "Lab 1" in "Labs"
    description: "old" → "new"
+ group "Team 1" in "Project Teams"
    description: "Front end"
~ members of "Lab 2" in "Labs": + s07  - s03
~ members of "Team 1" in "Project Teams": + s01, s02
~ leader of "Lab 1" in "Labs": (none) → s05
- group "Lab 9" in "Labs" (4 members)

Plan: 2 to create, 2 to update, 1 to delete, 4 membership changes.

Warning: 'Old Teams' (observe): Canvas differs"""

GOLDEN_MARKDOWN = """\
#### reconciler plan for course 7

| to create | to update | to delete | membership changes | touching submissions |
| ---: | ---: | ---: | ---: | ---: |
| 2 | 2 | 1 | 4 | 0 |

```diff
+ group set "Project Teams"
    group_limit: 4
    self_signup: "enabled"
~ group "Lab 1" in "Labs"
    description: "old" → "new"
+ group "Team 1" in "Project Teams"
    description: "Front end"
~ members of "Lab 2" in "Labs": + s07  - s03
~ members of "Team 1" in "Project Teams": + s01, s02
~ leader of "Lab 1" in "Labs": (none) → s05
- group "Lab 9" in "Labs" (4 members)
```

**Warnings**

- 'Old Teams' (observe): Canvas differs"""

WARNING = ("'Old Teams' (observe): Canvas differs",)


def test_text_golden() -> None:
    assert render(make(warnings=WARNING), "text") == GOLDEN_TEXT


def test_markdown_golden() -> None:
    assert render(make(warnings=WARNING), "markdown") == GOLDEN_MARKDOWN


def test_json_is_the_plan_document() -> None:
    plan = make()
    assert json.loads(render(plan, "json")) == plan_to_dict(plan)
    assert render(plan, "json") == json.dumps(plan_to_dict(plan), indent=2, sort_keys=True)


@pytest.mark.parametrize(("warnings", "text"), [
    ((), "No changes. Canvas matches the spec."),
    (("x",), "No changes. Canvas matches the spec.\n\nWarning: x"),
])
def test_empty_plan_text(warnings: tuple[str, ...], text: str) -> None:
    assert render(make([], warnings), "text") == text


def test_empty_plan_markdown() -> None:
    assert render(make([]), "markdown") == (
        "#### reconciler plan for course 7\n\nNo changes. Canvas matches the spec.")


@pytest.mark.parametrize(("op", "lines"), [
    (UpdateGroupSet("Labs", 10, (FieldChange("name", "Old", "Labs"),
                                 FieldChange("group_limit", None, 3)), {"name": "Labs"}),
     ['~ group set "Old" → "Labs"', "    group_limit: null → 3"]),
    (UpdateGroup("Labs", "Lab Pair 1", 101, (FieldChange("name", "Pair 1", "Lab Pair 1"),)),
     ['~ group "Pair 1" → "Lab Pair 1" in "Labs"']),
    (DeleteGroup("Labs", "Lab 9", 109, 4, True),
     ['- group "Lab 9" in "Labs" (4 members)  ! has submissions']),
    (DeleteGroupSet("Labs", 10, 1), ['- group set "Labs" (1 group)']),
    (DeleteGroup("Labs", "Lab 2", 102, 1), ['- group "Lab 2" in "Labs" (1 member)']),
    (SetMembers("Labs", "Lab 2", 102, frozenset(), frozenset(), frozenset({3, 8})),
     ['~ members of "Lab 2" in "Labs": - canvas:8, s03']),
    (SetMembers("Labs", "Lab 2", 102, frozenset({3}), frozenset(), frozenset({8}), "exact",
                True),
     ['~ members of "Lab 2" in "Labs": - canvas:8  ! has submissions']),
    (SetMembers("Labs", "Lab 2", 102, frozenset({3, 8}), frozenset({8}), frozenset(), "additive"),
     ['~ members of "Lab 2" in "Labs": + canvas:8  [members_mode: additive]']),
    (SetLeader("Labs", "Lab 1", 101, None, 5), ['~ leader of "Lab 1" in "Labs": s05 → (none)']),
    (CreateGroup("Labs", 'The "A" team', {"name": 'The "A" team'}),
     ['+ group "The \\"A\\" team" in "Labs"']),
])
def test_single_operation_lines(op: Operation, lines: list[str]) -> None:
    text = render(make([op]), "text")
    assert text.split("\n")[2:-2] == lines


def test_singular_membership_change() -> None:
    op = SetMembers("Labs", "Lab 1", 101, frozenset({5, 7}), frozenset({7}), frozenset())
    assert render(make([op]), "text").endswith(
        "Plan: 0 to create, 0 to update, 0 to delete, 1 membership change.")


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render(make(), "text")
    coloured = render(make(), "text", color=True)
    assert '\x1b[32m+ group set "Project Teams"\x1b[0m' in coloured
    assert '\x1b[31m- group "Lab 9" in "Labs" (4 members)\x1b[0m' in coloured


def test_markdown_fence_outgrows_backticks_in_names() -> None:
    op = CreateGroup("Labs", "```", {"name": "```"})
    assert "````diff\n" in render(make([op]), "markdown")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_same_inputs_same_bytes(fmt: str) -> None:
    first = render(make(), fmt)  # type: ignore[arg-type]
    assert render(make(list(reversed(OPS))), fmt) == first  # type: ignore[arg-type]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown plan format 'yaml'"):
        render(make(), "yaml")  # type: ignore[arg-type]


def test_submissions_are_counted_and_marked_red_on_a_terminal() -> None:
    ops: list[Operation] = [DeleteGroup("Labs", "Lab 9", 109, 4, True),
                            SetMembers("Labs", "Lab 2", 102, frozenset({8}), frozenset(),
                                       frozenset({3}), "exact", True)]
    text = render(make(ops), "text")
    assert text.endswith("2 operations touch groups with submissions (marked !).")
    coloured = render(make(ops), "text", color=True)
    assert ('\x1b[33m~ members of "Lab 2" in "Labs": - s03\x1b[0m  '
            '\x1b[31m! has submissions\x1b[0m') in coloured
    assert "| 0 | 0 | 1 | 1 | 2 |" in render(make(ops), "markdown")


def test_notes_follow_the_warnings() -> None:
    plan = build_plan([], CURRENT, LABELS, ("careful",), notes=("left alone: 'X'",))
    assert render(plan, "text").endswith("Warning: careful\n\nNote: left alone: 'X'")
    assert render(plan, "markdown").endswith("**Notes**\n\n- left alone: 'X'")
