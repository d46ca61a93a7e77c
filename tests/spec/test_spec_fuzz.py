"""Fuzzing the loader: any text or bytes is either a Spec or a SpecError whose every problem
says where (a file name, a line from 1 when known) and what (a non-empty message) — never any
other exception. `reconciler validate` on hostile files exits 1 without a traceback.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner
from hypothesis import (
    HealthCheck,
    currently_in_test_context,
    event,
    example,
    given,
    settings,
)
from hypothesis import strategies as st

from reconciler.cli import cli
from reconciler.errors import SpecError
from reconciler.spec import Spec, load, load_text
from reconciler.spec.yamlsrc import MAX_BYTES, MAX_DEPTH

SPECS_DIR = Path(__file__).resolve().parents[2] / "specs"
VALID = {path.name: path.read_text(encoding="utf-8")
         for path in sorted(SPECS_DIR.glob("*.yaml"))}
FILENAME = "fuzz.yaml"

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# Characters a hostile file is made of: YAML indicators, whitespace of every kind, NUL and
# other control characters, a BOM, a non-character, astral text.
NASTY_CHARS = st.sampled_from(
    [*"-:?[]{},#&*!|>'\"%@`\t\n\r ", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u2028",
     "\ufeff", "\ufffe", "é", "\U0001f600", "\\"])
TAGS = ["!!python/object/apply:os.system ['true']", "!!python/name:os.system",
        "!!python/object/new:dict []", "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]",
        "!!timestamp 2026-01-01", "!!float 1e9", "!!str 101", "!!int 101", "!include x.yaml",
        "!<tag:yaml.org,2002:python/tuple> [1]", "!custom {a: 1}", "! 101"]
HOSTILE_PATHS = ["/etc/passwd", "../../../../etc/passwd", "/dev/zero", "/dev/stdin",
                 "/proc/self/environ", "rosters", ".", "..", "rosters/../../pyproject.toml",
                 "rosters/capstone.csv/x", "~/.ssh/id_rsa", "C:\\Windows\\win.ini",
                 "file:///etc/passwd", "rosters/\udc80", ""]
# Roster paths the OS refuses before any file is opened (see the xfail test below).
CRASHING_PATHS = ["rosters/capstone.csv\x00.txt", "x" * 300, "rosters/" + "a/" * 3000]


def check_outcome(load_it: Callable[[], Spec]) -> Spec | SpecError:
    """Run one load: a Spec, or a SpecError with a location and message for every problem."""
    try:
        spec = load_it()
    except SpecError as exc:
        assert exc.problems, exc
        for problem in exc.problems:
            assert problem.file, problem
            assert problem.line is None or problem.line >= 1, problem
            assert problem.column is None or problem.column >= 1, problem
            assert isinstance(problem.message, str) and problem.message.strip(), problem
        assert str(exc).strip()
        return exc
    assert isinstance(spec, Spec)
    return spec


def outcome_of(text: str) -> Spec | SpecError:
    outcome = check_outcome(lambda: load_text(text, FILENAME, base_dir=SPECS_DIR))
    if currently_in_test_context():  # label the mix in --hypothesis-show-statistics
        event("valid spec" if isinstance(outcome, Spec) else
              "YAML-level error" if "YAML" in outcome.problems[0].message
              else "spec-level error")
    return outcome


# ---- strategies ------------------------------------------------------------------------

@st.composite
def mutated_specs(draw: Draw[Any]) -> str:
    """A valid spec with characters deleted, duplicated or inserted at random positions."""
    text: str = draw(st.sampled_from(sorted(VALID.values())))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "insert_line"]))
        if action == "delete":
            span = draw(st.integers(1, 12))
            text = text[:at] + text[at + span:]
        elif action == "duplicate":
            span = draw(st.integers(1, 40))
            text = text[:at] + text[at:at + span] * 2 + text[at + span:]
        elif action == "insert":
            text = text[:at] + draw(st.text(NASTY_CHARS, min_size=1, max_size=4)) + text[at:]
        else:
            line = draw(st.sampled_from(["  &a x: 1", "*a", "<<: *a", "- - -", "? x", "---",
                                         "...", "%YAML 1.1", "!!python/object:os.system",
                                         "\tcourse: 1", "course: 101", "group_sets: []"]))
            text = text[:at] + "\n" + line + "\n" + text[at:]
    return text


@st.composite
def deep_nesting(draw: Draw[Any]) -> str:
    depth = draw(st.integers(1, 400))
    style = draw(st.sampled_from(["flow_list", "flow_map", "block_list", "block_map", "mixed"]))
    if style == "flow_list":
        body = "[" * depth + "]" * depth
    elif style == "flow_map":
        body = "{a: " * depth + "1" + "}" * depth
    elif style == "block_list":
        body = "\n" + "".join("  " * i + "-\n" for i in range(1, depth + 1))
    elif style == "block_map":
        body = "\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, depth + 1))
    else:
        body = "[{a: " * depth + "1" + "}]" * depth
    where = draw(st.sampled_from(["course", "group_sets"]))
    other = "group_sets: []" if where == "course" else "course: 101"
    return f"{other}\n{where}: {body}\n"


@st.composite
def long_lines(draw: Draw[Any]) -> str:
    size = draw(st.sampled_from([256, 10_000, 200_000]))
    char = draw(st.sampled_from(["x", "é", " ", "\U0001f600", "-", "["]))
    key = draw(st.sampled_from(["name", "description", "members", "sis_id", "junk"]))
    return ("course: 101\ngroup_sets:\n  - name: Teams\n    groups:\n"
            f"      - name: G1\n        {key}: {char * size}\n")


@st.composite
def anchors_and_aliases(draw: Draw[Any]) -> str:
    name = draw(st.sampled_from(["a", "x1", "long_anchor_name", "é"]))
    form = draw(st.sampled_from([
        "course: &{n} 101\ngroup_sets: []\nother: *{n}\n",
        "course: 101\ngroup_sets:\n  - &{n} {{name: A}}\n  - *{n}\n",
        "base: &{n} {{self_signup: null}}\ncourse: 101\ngroup_sets:\n  - <<: *{n}\n    name: A\n",
        "course: 101\ngroup_sets: *{n}\n",  # an alias to an undefined anchor
        "course: 101\ngroup_sets: [&{n} [*{n}]]\n",  # a self-reference
        "&{n} course: 101\ngroup_sets: []\n",  # an anchor on a key
    ]))
    return str(form.format(n=name))


TAGGED = ["course: {t}\ngroup_sets: []\n", "course: 101\ngroup_sets: {t}\n",
          "{t}: 1\ncourse: 101\ngroup_sets: []\n", "course: 101\ngroup_sets:\n  - name: {t}\n",
          "course: 101\ngroup_sets:\n  - name: A\n    group_limit: {t}\n",
          "course: 101\ngroup_sets:\n  - name: A\n    groups:\n      - name: G1\n"
          "        members: {t}\n", "--- {t}\n"]


@st.composite
def tagged(draw: Draw[Any]) -> str:
    """A tag (object-building, binary, local, explicit core) on a key or a value."""
    return str(draw(st.sampled_from(TAGGED)).format(t=draw(st.sampled_from(TAGS))))


@st.composite
def control_characters(draw: Draw[Any]) -> str:
    """A valid spec with NUL / control / odd line-break characters dropped in."""
    text: str = draw(st.sampled_from(sorted(VALID.values())))
    chars = st.sampled_from([chr(c) for c in range(0x20) if c not in (9, 10, 13)]
                            + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ud800"])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(chars) + text[at:]
    return text


def roster_spec(key: str, path: str) -> str:
    quoted = json.dumps(path)  # a YAML double-quoted scalar, escapes included
    if key == "roster":
        return f"course: 101\ngroup_sets:\n  - name: Teams\n    roster: {quoted}\n"
    return ("course: 101\ngroup_sets:\n  - name: Teams\n    groups:\n"
            f"      - name: G1\n        members_from: {quoted}\n")


@st.composite
def hostile_rosters(draw: Draw[Any]) -> str:
    return roster_spec(draw(st.sampled_from(["roster", "members_from"])),
                       draw(st.sampled_from(HOSTILE_PATHS)))


# ---- properties --------------------------------------------------------------------------

@FUZZ
@given(st.text())
@example("")
@example("\x00")
@example("\ufeff")
@example("course: 101\x00\ngroup_sets: []\n")
@example("- a\n- b\n")
@example("42")
@example("course: 101\ngroup_sets: []\n---\ncourse: 102\ngroup_sets: []\n")
def test_any_text_is_a_spec_or_a_located_spec_error(text: str) -> None:
    outcome_of(text)


@FUZZ
@given(st.text(NASTY_CHARS, max_size=200))
def test_yaml_punctuation_soup(text: str) -> None:
    outcome_of(text)


@settings(FUZZ, max_examples=600)
@given(mutated_specs())
def test_mutated_valid_specs(text: str) -> None:
    outcome_of(text)


@settings(FUZZ, max_examples=300)
@given(st.one_of(deep_nesting(), long_lines(), anchors_and_aliases(), tagged(),
                 control_characters(), hostile_rosters()))
def test_hostile_constructions(text: str) -> None:
    outcome_of(text)


@settings(FUZZ, max_examples=200)
@given(st.one_of(st.binary(max_size=300), st.sampled_from(sorted(VALID.values())).map(
    lambda t: t.encode("utf-16")), st.sampled_from(sorted(VALID.values())).map(
    lambda t: t.encode("latin-1", "replace") + b"\xc9\xff\xfe")))
def test_any_bytes_on_disk(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(raw)
    outcome = check_outcome(lambda: load(path))
    if isinstance(outcome, SpecError):
        assert all(p.file == str(path) for p in outcome.problems)


@pytest.mark.parametrize("key", ["roster", "members_from"])
@pytest.mark.parametrize("path", CRASHING_PATHS, ids=["nul", "long-name", "long-path"])
def test_roster_paths_the_os_refuses(key: str, path: str) -> None:
    outcome = outcome_of(roster_spec(key, path))
    assert isinstance(outcome, SpecError)


@pytest.mark.parametrize("text", ["=\n", "course: =\ngroup_sets: []\n",
                                  "course: 101\ngroup_sets: [=]\n"])
def test_a_bare_equals_sign_is_a_spec_error(text: str) -> None:
    assert isinstance(outcome_of(text), SpecError)


def test_each_hostile_family_is_refused_where_it_starts() -> None:
    """Fixed points of the families above, with the problem they must report."""
    cases = {
        "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5): f"deeper than {MAX_DEPTH}",
        "course: &a 101\ngroup_sets: []\nx: *a\n": "anchors and aliases",
        "course: !!python/object/apply:os.system ['true']\ngroup_sets: []\n": "is not allowed",
        "course: 101\ngroup_sets: [\x00]\n": "YAML syntax error",
    }
    for text, fragment in cases.items():
        outcome = outcome_of(text)
        assert isinstance(outcome, SpecError), text
        assert any(fragment in p.message for p in outcome.problems), outcome


def test_a_scalar_over_the_size_limit_is_refused() -> None:
    text = "course: 101\ngroup_sets:\n  - name: " + "x" * (MAX_BYTES + 1) + "\n"
    outcome = outcome_of(text)
    assert isinstance(outcome, SpecError)
    assert "limited to" in outcome.problems[0].message


def test_a_huge_scalar_under_the_limit_is_a_clean_problem() -> None:
    text = "course: 101\ngroup_sets:\n  - name: " + "x" * (MAX_BYTES // 2) + "\n"
    outcome = outcome_of(text)
    assert isinstance(outcome, SpecError)
    assert any("255" in p.message and p.line == 3 for p in outcome.problems), outcome


# ---- the CLI ---------------------------------------------------------------------------

HOSTILE_FILES: dict[str, bytes] = {
    "python-object": b"course: !!python/object/apply:os.system ['echo pwned']\ngroup_sets: []\n",
    "alias-bomb": b"a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\ncourse: 101\ngroup_sets: []\n",
    "deep": b"course: 101\ngroup_sets: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "nul": b"course: 101\x00\ngroup_sets: []\n",
    "latin-1": "course: 101\ngroup_sets:\n  - name: \u00c9quipe\n".encode("latin-1"),
    "utf-16": "course: 101\ngroup_sets: []\n".encode("utf-16"),
    "not-a-mapping": b"- course: 101\n",
    "empty": b"",
    "tabs": b"course: 101\ngroup_sets:\n\t- name: A\n",
    "roster-escape": b"course: 101\ngroup_sets:\n  - name: T\n    roster: /etc/passwd\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_validate_cli_on_hostile_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(HOSTILE_FILES[name])
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "problem" in result.output and str(path) in result.output


def test_validate_cli_reports_every_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    shutil.copy(SPECS_DIR / "minimal.yaml", good)
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(HOSTILE_FILES["python-object"])
    result = CliRunner().invoke(cli, ["validate", str(good), str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{good}: valid" in result.output
    assert "is not allowed" in result.output and "Traceback" not in result.output
