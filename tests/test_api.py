"""The library API's offline half: load_spec from a dict, text or a Path; connect's
refusals; the error tree and the API importable from the package, which loads no HTTP or
CLI code until the API is used."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import reconciler
from reconciler import errors

SPEC_TEXT = """\
course: 101
group_sets:
  - name: Project Teams
    self_signup: null
    groups:
      - name: Team 1
        sis_id: 12
        members: [s01, s02]
      - name: Team 2
        members: [s03, {sis_user_id: 20260004}]
"""
SPEC_DICT: dict[str, Any] = {
    "course": 101,
    "group_sets": [{"name": "Project Teams", "self_signup": None, "groups": [
        {"name": "Team 1", "sis_id": 12, "members": ["s01", "s02"]},
        {"name": "Team 2", "members": ("s03", {"sis_user_id": 20260004})},
    ]}],
}


def test_a_dict_text_and_a_file_give_the_same_spec(tmp_path: Path) -> None:
    path = tmp_path / "course.yaml"
    path.write_text(SPEC_TEXT, encoding="utf-8")
    from_dict = reconciler.load_spec(SPEC_DICT)
    from_text = reconciler.load_spec(SPEC_TEXT)
    from_file = reconciler.load_spec(path)
    assert from_dict.document == from_text.document == from_file.document
    assert (from_dict.filename, from_text.filename, from_file.filename) == (
        "<dict>", "<text>", str(path))
    # numbers under a text key are text, as YAML keeps their source text
    assert from_dict.document.group_sets[0].groups[0].sis_id == "12"


def test_a_bad_dict_names_each_field_it_gets_wrong() -> None:
    bad = {"course": 101, "group_sets": [{"name": "Teams", "self_signup": "enable",
                                          "groups": [{"name": "T1", "member": ["s01"]}]}]}
    with pytest.raises(reconciler.SpecError) as info:
        reconciler.load_spec(bad)
    found = {(p.file, p.line, p.field): p.message for p in info.value.problems}
    assert set(found) == {("<dict>", None, "group_sets[0].self_signup"),
                          ("<dict>", None, "group_sets[0].groups[0].member")}
    assert "did you mean 'enabled'?" in found["<dict>", None, "group_sets[0].self_signup"]
    assert "did you mean 'members'?" in found["<dict>", None, "group_sets[0].groups[0].member"]


def test_a_dict_problem_points_at_the_earlier_entry_by_field_not_line() -> None:
    bad = {"course": 101, "group_sets": [{"name": "Teams", "groups": [
        {"name": "T1", "members": ["s01"]}, {"name": "T1", "members": ["s01"]}]}]}
    with pytest.raises(reconciler.SpecError) as info:
        reconciler.load_spec(bad)
    messages = [p.message for p in info.value.problems]
    assert "group name 'T1' is used twice in this set (first on group_sets[0].groups[0].name)" \
        in messages
    assert not any("line 0" in m or "line ?" in m for m in messages)


@pytest.mark.parametrize(("value", "fragment"), [
    ({"course": 101, "group_sets": [{"name": {1, 2}}]}, "a set cannot be used in a spec"),
    ({"course": 101, "group_sets": [], 7: "x"}, "a key must be text, got 7"),
    ({"course": 101, "group_sets": [{"name": b"Teams"}]}, "a bytes cannot be used"),
])
def test_values_yaml_cannot_hold_are_problems(value: dict[Any, Any], fragment: str) -> None:
    with pytest.raises(reconciler.SpecError) as info:
        reconciler.load_spec(value)
    assert any(fragment in p.message for p in info.value.problems)


def test_a_dict_that_contains_itself_is_a_problem_not_a_recursion() -> None:
    looped: dict[str, Any] = {"course": 101, "group_sets": []}
    looped["group_sets"].append(looped)
    with pytest.raises(reconciler.SpecError) as info:
        reconciler.load_spec(looped)
    assert [p.field for p in info.value.problems] == ["group_sets[0]"]


def test_a_str_is_yaml_text_never_a_file_name(tmp_path: Path) -> None:
    path = tmp_path / "course.yaml"
    path.write_text(SPEC_TEXT, encoding="utf-8")
    with pytest.raises(reconciler.SpecError) as info:
        reconciler.load_spec(str(path))
    [problem] = info.value.problems
    assert problem.file == "<text>"
    assert "the spec must be a mapping" in problem.message


def test_text_problems_have_lines_under_the_name_given() -> None:
    with pytest.raises(reconciler.SpecError) as info:
        reconciler.load_spec(SPEC_TEXT.replace("self_signup: null", "self_signup: maybe"),
                             name="teams.yaml")
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.field) == ("teams.yaml", 4,
                                                           "group_sets[0].self_signup")


ROSTER_DICT = {"course": 101, "group_sets": [{"name": "Teams", "roster": "teams.csv"}]}


def test_roster_files_of_a_dict_are_read_from_base_dir_only(tmp_path: Path) -> None:
    (tmp_path / "teams.csv").write_text("group,login_id\nT1,s01\n", encoding="utf-8")
    spec = reconciler.load_spec(ROSTER_DICT, base_dir=tmp_path)
    [rows] = spec.files.rosters.values()
    assert [(row.group, row.member.identity) for row in rows] == [("T1", ("login_id", "s01"))]

    with pytest.raises(reconciler.SpecError) as info:
        reconciler.load_spec(ROSTER_DICT)  # no directory to guess: not even the cwd
    [problem] = info.value.problems
    assert problem.field == "group_sets[0].roster"
    assert "no base directory was given to read roster files from" in problem.message


def test_a_spec_file_reads_its_roster_files_beside_it(tmp_path: Path) -> None:
    (tmp_path / "teams.csv").write_text("group,login_id\nT1,s01\n", encoding="utf-8")
    path = tmp_path / "course.yaml"
    path.write_text("course: 101\ngroup_sets:\n  - name: Teams\n    roster: teams.csv\n",
                    encoding="utf-8")
    assert list(reconciler.load_spec(path).files.rosters) == [("group_sets", 0)]


@pytest.mark.parametrize("source", [[{"course": 101}], b"course: 101\n", 101])
def test_anything_else_is_a_type_error(source: Any) -> None:
    with pytest.raises(TypeError, match="load_spec takes a dict, YAML text"):
        reconciler.load_spec(source)


def test_base_dir_with_a_path_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="read beside it"):
        reconciler.load_spec(tmp_path / "course.yaml", base_dir=tmp_path)


# --- connect -----------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "token", "kwargs", "fragment"), [
    ("http://canvas.example.edu", "7~secret-token", {}, "refusing plain http://"),
    ("ftp://canvas.example.edu", "7~secret-token", {}, "must look like https://"),
    ("https://canvas.example.edu", "", {}, "no Canvas API token"),
    ("https://canvas.example.edu", "7~secret\n-token", {}, "spaces or control characters"),
    ("https://canvas.example.edu", "7~secret-token", {"concurrency": 0}, "between 1 and 32"),
    ("https://canvas.example.edu", "7~secret-token", {"concurrency": 33}, "between 1 and 32"),
])
def test_connect_refuses_what_the_cli_refuses(url: str, token: str, kwargs: dict[str, int],
                                               fragment: str) -> None:
    with pytest.raises(reconciler.ConfigError) as info:
        reconciler.connect(url, token, **kwargs)
    assert fragment in info.value.message
    assert "secret" not in info.value.message


def test_the_client_never_shows_its_token() -> None:
    canvas = reconciler.connect("https://canvas.example.edu/", "7~secret-token")
    assert "secret" not in repr(canvas) and "secret" not in str(canvas)
    assert canvas.base_url == "https://canvas.example.edu"


# --- the package's face ------------------------------------------------------------------

def test_every_error_of_the_tree_is_importable_from_the_package() -> None:
    tree = {name for name, value in vars(errors).items()
            if inspect.isclass(value) and value.__module__ == errors.__name__}
    assert tree >= {"ReconcilerError", "SpecError", "Problem", "ApplyError",
                    "ConvergenceError", "CanvasError", "UnsafePlanError", "StalePlanError"}
    for name in tree:
        assert getattr(reconciler, name) is getattr(errors, name)
        assert name in reconciler.__all__


def test_every_name_in_all_is_there() -> None:
    assert all(getattr(reconciler, name) is not None for name in reconciler.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = reconciler.nope  # type: ignore[attr-defined]


def _fresh(code: str) -> Any:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


LOADED = ("import json, sys; print(json.dumps(sorted(m for m in ('requests', 'urllib3', "
          "'click', 'reconciler.api', 'reconciler.engine', 'reconciler.canvas') "
          "if m in sys.modules)))")


def test_importing_the_package_or_its_errors_loads_no_http_or_cli() -> None:
    assert _fresh("import reconciler; " + LOADED) == []
    assert _fresh("from reconciler import SpecError, ApplyError; " + LOADED) == []


def test_the_api_loads_on_first_use() -> None:
    loaded = _fresh("import reconciler; reconciler.load_spec; " + LOADED)
    assert {"requests", "reconciler.api", "reconciler.engine"} <= set(loaded)
    assert "click" not in loaded


@pytest.mark.parametrize("first", ["import reconciler.plan", "from reconciler.plan import Plan",
                                   "import reconciler.engine", "import reconciler.cli", ""])
def test_reconciler_plan_is_the_function_whatever_was_imported_first(first: str) -> None:
    code = (f"{first}\nimport json, reconciler\nfirst = reconciler.plan\n"
            "import reconciler.plan, reconciler.api\n"
            "print(json.dumps([callable(first), reconciler.plan is reconciler.api.plan, "
            "first is reconciler.plan]))")
    assert _fresh(code) == [True, True, True]
