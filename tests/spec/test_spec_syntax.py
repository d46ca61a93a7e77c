"""A YAML syntax error is reported on the line of the mistake, not where PyYAML gave up
looking (often the next line, or the end of the file)."""

from __future__ import annotations

import pytest

from reconciler.errors import SpecError
from reconciler.spec import load_text, yamlsrc
from tests.spec.test_spec_docs import SPECS

SET = "course: 101\ngroup_sets:\n  - name: Teams\n"

# (id, yaml text, line, column of the mistake, a fragment of the message)
MISTAKES: list[tuple[str, str, int, int, str]] = [
    ("unclosed bracket before a block", "course: 101\ngroup_sets: [\n  - name: A\n",
     2, 13, "the [ or { opened here is not closed"),
    ("unclosed bracket at the end", SET + "    groups:\n      - name: T1\n"
     "        members: [s01, s02\n", 6, 18, "the [ opened here is not closed"),
    ("unclosed bracket before a key", SET + "    groups:\n      - name: T1\n"
     "        members: [s01, s02\n      - name: T2\n", 6, 18, "noticed at line 7, column 13"),
    ("unclosed brace", SET + "    groups:\n      - {name: T1\n      - name: T2\n",
     5, 9, "the { opened here is not closed"),
    ("missing colon after a key", "course: 101\ngroup_sets\n  - name: A\n",
     2, 1, "a key must be followed by ': '"),
    ("unclosed double quote", 'course: "101\ngroup_sets:\n  - name: A\n',
     1, 9, "the quote opened here is never closed"),
    ("unclosed single quote mid-file", SET + "  - name: 'Labs\n    self_signup: enabled\n"
     "  - name: Pairs\n", 4, 11, "the quote opened here is never closed"),
    ("bad indentation", SET + "   self_signup: enabled\n", 4, 4, "check the indentation"),
    ("a tab", SET + "\tself_signup: enabled\n", 4, 1, "spaces, not tabs"),
    ("a colon in a value", "course: 101\ngroup_sets:\n  - name: Teams: A\n", 3, 16,
     "must be quoted"),
]


@pytest.mark.parametrize(("text", "line", "column", "fragment"),
                         [case[1:] for case in MISTAKES], ids=[case[0] for case in MISTAKES])
def test_the_problem_names_the_line_of_the_mistake(text: str, line: int, column: int,
                                                   fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        load_text(text, "course.yaml")
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.column) == ("course.yaml", line, column)
    assert problem.message.startswith("YAML syntax error: ")
    assert fragment in problem.message


def test_where_pyyaml_stopped_is_kept_in_the_message() -> None:
    with pytest.raises(SpecError) as info:
        load_text('course: "101\ngroup_sets: []\n', "course.yaml")
    assert "noticed at line 3, column 1" in info.value.problems[0].message



@pytest.mark.parametrize("text", [
    *SPECS,  # every complete example of docs/spec.md
    "course: 101\ngroup_sets:\n  - {name: A, groups: [{name: T, members: [s01, 's02']}]}\n"
    "  - name: B  # a comment\n    description: |\n      two\n      lines\n",
    "course: 101\ngroup_sets:\n  - name: 'x: y'\n    groups:\n    - name: \"a\\tb\"\n"
    "      members:\n        - s01\n        -   s02\n",
    "course: 101\r\ngroup_sets:\r\n  - name: A\r\n    description: >\r\n      folded\r\n"
    "      text\r\n    groups: [{name: T,\r\n      members: [s01]}]\r\n",
])
def test_libyaml_and_the_pure_parser_read_the_same_values_at_the_same_places(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert yamlsrc._FAST_LOADER is not None  # PyYAML's wheels carry libyaml
    fast = yamlsrc.load_located(text, "spec.yaml")
    monkeypatch.setattr(yamlsrc, "_FAST_LOADER", None)
    pure = yamlsrc.load_located(text, "spec.yaml")
    assert (fast.data, fast.values, fast.keys) == (pure.data, pure.values, pure.keys)
