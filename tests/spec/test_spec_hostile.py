"""Hostile YAML: every attack is a clean SpecError, never a constructed object or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import SpecError
from reconciler.spec import load, load_text
from reconciler.spec.yamlsrc import MAX_BYTES, MAX_DEPTH

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)

HOSTILE = [
    ("python-object", "course: !!python/object/apply:os.system ['echo pwned']\n",
     "'!!python/object/apply:os.system' is not allowed"),
    ("python-name", "course: !!python/name:os.system\ngroup_sets: []\n", "is not allowed"),
    ("local-tag", "course: !include other.yaml\ngroup_sets: []\n", "'!include' is not allowed"),
    ("binary-tag", "course: 101\ngroup_sets: !!binary aGVsbG8=\n", "'!!binary' is not allowed"),
    ("set-tag", "course: 101\ngroup_sets: !!set {a, b}\n", "'!!set' is not allowed"),
    ("alias-bomb", BOMB, "anchors and aliases"),
    ("merge-key", "base: &b {self_signup: null}\ncourse: 101\ngroup_sets:\n"
     "  - <<: *b\n    name: A\n", "anchors and aliases"),
    ("deep-flow", "course: " + "[" * 10_000 + "]" * 10_000 + "\n", f"deeper than {MAX_DEPTH}"),
    ("deep-block", "course: 101\ngroup_sets:\n" + "".join(
        "  " * i + "- \n" for i in range(1, 60)), f"deeper than {MAX_DEPTH}"),
]


@pytest.mark.parametrize(("text", "fragment"), [c[1:] for c in HOSTILE],
                         ids=[c[0] for c in HOSTILE])
def test_hostile_yaml_is_a_clean_spec_error(text: str, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        load_text(text, "evil.yaml")
    assert any(fragment in p.message for p in info.value.problems), info.value.message
    assert all(p.line is not None for p in info.value.problems)


def test_huge_text_is_refused_before_parsing() -> None:
    text = "course: 101\ngroup_sets: []\n#" + "x" * MAX_BYTES
    with pytest.raises(SpecError, match="limited to"):
        load_text(text, "big.yaml")


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_BYTES)
    with pytest.raises(SpecError, match="5 MiB"):
        load(path)


def test_non_utf8_file_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("course: 101\ngroup_sets:\n  - name: Équipe\n".encode("latin-1"))
    with pytest.raises(SpecError) as info:
        load(path)
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == (3, 11)
    assert "not UTF-8" in problem.message and "0xc9" in problem.message


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the spec"):
        load(tmp_path / "nope.yaml")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffcourse: 101\ngroup_sets: []\n".encode())
    assert load(path).course == 101
