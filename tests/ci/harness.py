"""Run action.yml's own `run:` steps here, the way the runner would, without GitHub.

The runner's part is small and written down: each `run:` step is a bash script
(`bash --noprofile --norc -eo pipefail`, GitHub's `shell: bash`) started in the workspace
with the step's `env:` (its `${{ }}` expressions filled in), the runner's variables
(GITHUB_OUTPUT fresh for each step, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH, RUNNER_TEMP,
GITHUB_ACTION_PATH ...), and outputs read back from GITHUB_OUTPUT; the first failing step
ends the job. `uses:` steps (setup-python) and the install step are not run: the tests give
the install step's outputs (this venv's python and reconciler) instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BIN = Path(sys.executable).parent


def load_steps() -> ModuleType:
    """action/steps.py as a module (it is a script beside action.yml, not a package)."""
    spec = importlib.util.spec_from_file_location("action_steps", ROOT / "action" / "steps.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["action_steps"] = module
    spec.loader.exec_module(module)
    return module


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: `name=value` and `name<<DELIMITER` ... `DELIMITER`."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value_ = line.split("=", 1)
            outputs[name] = value_
    return outputs


@dataclass
class Run:
    """What one run of the action left: each step's outputs, the log, the summary."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: str = ""
    summary: str = ""
    failed: str | None = None  # id of the step that failed, if one did

    def output(self, name: str) -> str:
        """An output of the action itself, through action.yml's `outputs:` mapping."""
        return evaluate(ACTION["outputs"][name]["value"], {}, self.outputs)


def evaluate(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            name = expr.removeprefix("inputs.")
            declared = ACTION["inputs"][name]  # KeyError: an undeclared input
            value = inputs.get(name, str(declared.get("default", "")))
            return evaluate(value, inputs, outputs)
        if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
            return outputs.get(m.group(1), {}).get(m.group(2), "")
        if expr == "github.token":
            return "fake-github-token"
        raise AssertionError(f"the harness does not know ${{{{ {expr} }}}}")
    return EXPRESSION.sub(one, text)


def runner_env(workspace: Path, temp: Path, event_name: str, event: dict[str, Any],
               extra_path: Path | None) -> dict[str, str]:
    """The variables the runner gives every step (GITHUB_OUTPUT aside: one per step)."""
    event_file = temp / "event.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    (temp / "summary.md").write_text("", encoding="utf-8")
    path = os.pathsep.join(str(p) for p in (extra_path, BIN) if p)
    return {"PATH": path + os.pathsep + os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(temp)), "RUNNER_TEMP": str(temp),
            "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_file),
            "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
            "GITHUB_REPOSITORY": "school/groups", "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "4242", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567"}


def run_step(step: dict[str, Any], workspace: Path, runner: dict[str, str],
             inputs: dict[str, str], result: Run) -> bool:
    """Run one `run:` step as `shell: bash` does; keep its outputs and log; True if it passed."""
    temp = Path(runner["RUNNER_TEMP"])
    output_file = temp / f"output-{step['id']}"
    output_file.write_text("", encoding="utf-8")
    script = temp / f"step-{step['id']}.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = {k: evaluate(str(v), inputs, result.outputs) for k, v in (step.get("env") or {}).items()}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          cwd=workspace, env={**runner, **env, "GITHUB_OUTPUT": str(output_file)},
                          capture_output=True, text=True, check=False, timeout=120)
    result.log += f"--- {step['id']} (exit {done.returncode})\n{done.stdout}{done.stderr}"
    result.outputs[step["id"]] = parse_outputs(output_file.read_text(encoding="utf-8"))
    return done.returncode == 0


def run_action(workspace: Path, *, inputs: dict[str, str], event: dict[str, Any],
               event_name: str = "pull_request", extra_path: Path | None = None) -> Run:
    temp = workspace.parent / f"{workspace.name}-runner-temp"
    temp.mkdir(exist_ok=True)
    runner = runner_env(workspace, temp, event_name, event, extra_path)
    result = Run(outputs={"install": {"python": sys.executable,
                                      "reconciler": str(BIN / "reconciler")}})
    for step in ACTION["runs"]["steps"]:
        assert "if" not in step, "the harness runs every step: keep conditions in the scripts"
        if "run" not in step or step["id"] == "install":
            continue
        if not run_step(step, workspace, runner, inputs, result):
            result.failed = step["id"]
            break
    result.summary = (temp / "summary.md").read_text(encoding="utf-8")
    return result


FAKE_GH = textwrap.dedent('''\
    #!{python}
    """A stand-in for `gh`: logs each call (argv, stdin, GH_TOKEN) as a JSON line and answers
    a comment listing from the COMMENTS file."""
    import json, os, sys
    here = os.path.dirname(os.path.abspath(__file__))
    stdin = sys.stdin.read() if "--input" in sys.argv else ""
    with open(os.path.join(here, "calls.jsonl"), "a") as log:
        log.write(json.dumps({{"argv": sys.argv[1:], "stdin": stdin,
                               "token": os.environ.get("GH_TOKEN")}}) + "\\n")
    if os.path.exists(os.path.join(here, "FAIL")):
        sys.exit("HTTP 403: Resource not accessible by integration")
    if "--method" not in sys.argv:
        with open(os.path.join(here, "COMMENTS")) as pages:
            sys.stdout.write(pages.read())
    else:
        print("{{}}")
    ''')


def fake_gh(directory: Path, pages: list[list[dict[str, Any]]]) -> Path:
    """A directory holding a fake `gh` whose comment listing is these pages."""
    directory.mkdir(parents=True, exist_ok=True)
    gh = directory / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(0o755)
    (directory / "COMMENTS").write_text("".join(json.dumps(p) for p in pages), encoding="utf-8")
    return directory


def gh_calls(directory: Path) -> list[dict[str, Any]]:
    log = directory / "calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.edu",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.edu"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def commit_files(repo: Path, files: dict[str, str | None], message: str) -> str:
    """Write (or, for None, delete) files, commit them all, return the commit's sha."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path
