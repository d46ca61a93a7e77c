"""The pre-commit hook (.pre-commit-hooks.yaml) run by pre-commit itself: `try-repo` on a
repository with a good and a bad spec, and the .pre-commit-config.yaml of
docs/ci-recipes.md as a user would write it.

pre-commit installs the hook's repository into a fresh virtualenv from the package index,
which takes a while and needs the index: one install per test, 15-20 s each with a warm pip
cache, about 50 s cold.

The hook's repository is a copy of this project's files as they are on disk (committed or
not: `try-repo` would otherwise see only the committed ones), committed into a new git
repository, so the test reads nothing outside the project and leaves the project alone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "specs" / "minimal.yaml").read_text(encoding="utf-8")
BAD = "course: 101\ngroup_sets:\n  - name: A\n    groups:\n      - name: G\n" \
      "        memberz: [s01]\n"
NOT_A_SPEC = "on: push\njobs: {}\n"  # YAML, but a workflow: the hook must not read it

def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.edu",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.edu"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def hook_repository(dest: Path) -> tuple[Path, str]:
    """This project's files (tracked or new, not ignored) in a fresh repository; its HEAD."""
    dest.mkdir()
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "reconciler as it is on disk")
    return dest, git(dest, "rev-parse", "HEAD")


def specs_repository(dest: Path, files: dict[str, str]) -> Path:
    dest.mkdir()
    git(dest, "init", "-q")
    for name, text in files.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(text, encoding="utf-8")
    git(dest, "add", "-A")
    return dest


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "SKIP"))}
    env |= {"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, env=env,
                          capture_output=True, text=True, check=False, timeout=600)


def test_try_repo_fails_on_the_bad_spec_naming_file_and_line(tmp_path: Path) -> None:
    hooks, _ = hook_repository(tmp_path / "reconciler")
    repo = specs_repository(tmp_path / "specs-repo", {
        "specs/good.yaml": GOOD, "specs/bad.yaml": BAD, ".github/workflows/ci.yml": NOT_A_SPEC})
    done = pre_commit(repo, tmp_path / "home", "try-repo", str(hooks), "reconciler-validate",
                      "--all-files")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert re.search(r"reconciler validate\.+Failed", output), output
    assert "specs/bad.yaml:6:9: unknown key 'memberz'" in output
    assert ".github" not in output  # a workflow is no spec


def documented_config(hooks: Path, rev: str) -> str:
    """docs/ci-recipes.md's .pre-commit-config.yaml, pointed at the local copy."""
    text = (ROOT / "docs" / "ci-recipes.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S)
               if "id: reconciler-validate" in b]
    block = re.sub(r"repo: \S+", f"repo: {hooks}", block)
    return re.sub(r"rev: \S+", f"rev: {rev}", block)


def test_the_documented_config_passes_good_specs_and_refuses_a_bad_one(tmp_path: Path) -> None:
    hooks, rev = hook_repository(tmp_path / "reconciler")
    repo = specs_repository(tmp_path / "specs-repo", {
        ".pre-commit-config.yaml": documented_config(hooks, rev), "specs/good.yaml": GOOD,
        "specs/nested/also-good.yml": GOOD, ".github/workflows/ci.yml": NOT_A_SPEC})
    home = tmp_path / "home"
    passed = pre_commit(repo, home, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"reconciler validate\.+Passed", passed.stdout), passed.stdout
    (repo / "specs" / "bad.yaml").write_text(BAD, encoding="utf-8")
    git(repo, "add", "specs/bad.yaml")
    failed = pre_commit(repo, home, "run")  # the staged files, as the git hook runs it
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "specs/bad.yaml:6:9" in failed.stdout
