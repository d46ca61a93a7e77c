"""The work behind the reconciler GitHub Action (../action.yml), one subcommand per step.

    steps.py select    which spec files this run covers       outputs: count, specs, list
    steps.py run       reconciler plan|apply on them          outputs: exitcode, has-changes, report
    steps.py comment   create or update the pull request's plan comment

action.yml hands every input over in the environment, never in a script's text (so no input
or pull-request field can become shell code), and the runner adds its own variables
(GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH, RUNNER_TEMP, ...). Standard library
only: reconciler and gh are run as programs, as a user's shell would run them, so the action
depends on the command-line contract and nothing internal.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

Env = Mapping[str, str]

SPEC_SUFFIXES = (".yaml", ".yml")
NO_COMMIT = "0" * 40  # a push's `before` when the branch is new
# GitHub refuses comment and issue bodies over 65,536 characters; the report that goes into
# one stays well under, and says where the whole text is.
COMMENT_LIMIT = 60_000
SUMMARY_LIMIT = 900_000  # a step's summary may hold 1 MiB


class Problem(Exception):
    """A mistake in the action's inputs: reported as an error annotation, exit 1."""


# --- talking to the runner --------------------------------------------------------------


def annotate(kind: str, message: str) -> None:
    """An ::error:: / ::warning:: / ::notice:: line; the runner shows it on the run's page."""
    text = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::{kind}::{text}", flush=True)


def set_outputs(env: Env, **values: str) -> None:
    """Append step outputs to $GITHUB_OUTPUT, each in the multi-line form with a fresh
    delimiter, so no value (a file name, a report) can end it early."""
    with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"EOF_{uuid.uuid4().hex}"
            out.write(f"{name.replace('_', '-')}<<{delimiter}\n{value}\n{delimiter}\n")


def load_event(env: Env) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path or not Path(path).is_file():
        return {}
    event = json.loads(Path(path).read_text(encoding="utf-8"))
    return event if isinstance(event, dict) else {}


def temp_file(env: Env, name: str, suffix: str) -> Path:
    """A new file in the runner's temporary directory: the action may run twice in a job."""
    directory = Path(env.get("RUNNER_TEMP") or ".")
    handle, path = tempfile.mkstemp(prefix=f"reconciler-{name}-", suffix=suffix, dir=directory)
    os.close(handle)
    return Path(path)


# --- select -----------------------------------------------------------------------------


def parse_entries(text: str) -> list[str]:
    """The `specs` input: entries separated by spaces or lines; quotes keep a space."""
    return [word for line in text.splitlines() for word in shlex.split(line, comments=True)]


def _normal(path: str | Path) -> str:
    return os.path.normpath(os.path.relpath(os.path.abspath(path)))


def _is_spec_name(path: Path) -> bool:
    return path.suffix.lower() in SPEC_SUFFIXES


def _below(directory: Path) -> list[str]:
    """The *.yaml / *.yml files below a directory, sorted, leaving out hidden files and
    directories (.git, .reconciler/snapshots, ...)."""
    found = []
    for path in directory.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(directory).parts)
        if not hidden and path.is_file() and _is_spec_name(path):
            found.append(_normal(path))
    return sorted(found)


def _expand_one(entry: str) -> list[str]:
    if glob.has_magic(entry):
        matches = sorted(glob.glob(entry, recursive=True))
        if not matches:
            annotate("warning", f"specs: {entry!r} matches no file")
        files = [_normal(m) for m in matches if Path(m).is_file() and _is_spec_name(Path(m))]
        return files + [f for m in matches if Path(m).is_dir() for f in _below(Path(m))]
    path = Path(entry)
    if path.is_dir():
        return _below(path)
    if path.is_file():
        return [_normal(path)]
    raise Problem(f"specs: {entry!r}: no such file or directory "
                  f"(the working directory is {os.getcwd()})")


def expand(entries: Iterable[str]) -> list[str]:
    """Every spec file the entries name, in order, each once."""
    seen: dict[str, None] = {}
    for entry in entries:
        for name in _expand_one(entry):
            if "\n" in name:
                raise Problem(f"specs: a file name holds a line break: {name!r}")
            seen.setdefault(name, None)
    return list(seen)


def diff_range(event_name: str, event: Mapping[str, Any]) -> str | None:
    """The git range whose files a pull request or a push changed; None for other events
    (schedule, workflow_dispatch, ...) and a new branch's first push."""
    pull = event.get("pull_request")
    if isinstance(pull, dict):
        base, head = pull.get("base", {}).get("sha"), pull.get("head", {}).get("sha")
        # three dots: from where the branch left its base, so the base's own later
        # commits do not count as the pull request's changes
        return f"{base}...{head}" if base and head else None
    if event_name == "push":
        before, after = event.get("before"), event.get("after")
        if before and after and before != NO_COMMIT:
            return f"{before}..{after}"
    return None


def _git(*args: str) -> str | None:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else None


def changed_files(rng: str) -> set[str] | None:
    """Every path the range touches (added, changed, deleted, both sides of a rename),
    relative to the working directory; None if git cannot tell (a shallow clone)."""
    top = _git("rev-parse", "--show-toplevel")
    names = _git("diff", "--name-only", "--no-renames", "-z", rng)
    if top is None or names is None:
        return None
    return {_normal(Path(top.strip()) / name) for name in names.split("\0") if name}


def choose(universe: list[str], touched: set[str] | None) -> tuple[list[str], str]:
    """The specs to run and why. A changed CSV file counts as a change to every spec, as
    rosters live in CSV files that any spec may read."""
    if touched is None:
        return universe, "all spec files"
    if any(name.lower().endswith(".csv") for name in touched):
        return universe, "all spec files (a CSV file changed, and specs read rosters from CSV)"
    return [name for name in universe if name in touched], "the spec files this change touched"


def _changed_or_none(env: Env) -> set[str] | None:
    if env.get("CHANGED_ONLY", "true").strip().lower() != "true":
        return None
    rng = diff_range(env.get("GITHUB_EVENT_NAME", ""), load_event(env))
    if rng is None:
        return None
    touched = changed_files(rng)
    if touched is None:
        annotate("warning", f"cannot list the files changed in {rng} (a shallow clone? check "
                            "out with fetch-depth: 0); taking every spec file")
    return touched


def select(env: Env) -> int:
    universe = expand(parse_entries(env.get("SPECS", "")))
    chosen, why = choose(universe, _changed_or_none(env))
    listing = temp_file(env, "specs", ".txt")
    listing.write_text("".join(f"{name}\n" for name in chosen), encoding="utf-8")
    print(f"{len(chosen)} of {len(universe)} spec files: {why}")
    for name in chosen:
        print(f"  {name}")
    set_outputs(env, count=str(len(chosen)), specs="\n".join(chosen), list=str(listing))
    return 0


# --- run --------------------------------------------------------------------------------


def command_line(env: Env, specs: list[str]) -> list[str]:
    command = env.get("COMMAND", "plan").strip()
    if command == "plan":
        options = ["--format", "markdown", "--detailed-exitcode"]
    elif command == "apply":
        options = ["--auto-approve"]
        if env.get("ALLOW_DELETE", "false").strip().lower() == "true":
            options.append("--allow-delete")
    else:
        raise Problem(f"command: {command!r} is neither 'plan' nor 'apply'")
    extra = [line.strip() for line in env.get("ARGS", "").splitlines() if line.strip()]
    # a name starting with "-" would read as an option
    paths = [f"./{name}" if name.startswith("-") else name for name in specs]
    return [env.get("RECONCILER") or "reconciler", command, *paths, *options, *extra]


def _connection_problem(env: Env) -> str | None:
    if not env.get("CANVAS_API_TOKEN"):
        return ("canvas-token is empty. Pass it from a secret "
                "(canvas-token: ${{ secrets.CANVAS_API_TOKEN }}); note that workflows run "
                "for pull requests from forks are given no secrets.")
    if not env.get("CANVAS_BASE_URL"):
        return "canvas-url is empty: set it to your Canvas root URL (https://...)."
    return None


def mask_token(env: Env) -> None:
    """Tell the runner to hide the token wherever it would appear in the log. A secret is
    masked already; this also covers a token that reached the input some other way."""
    for line in env.get("CANVAS_API_TOKEN", "").splitlines():
        if line.strip():
            print(f"::add-mask::{line}", flush=True)


def _fence(text: str) -> str:
    ticks = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return f"{ticks}text\n{text.rstrip()}\n{ticks}"


def _headline(command: str, code: int) -> str:
    if command == "plan":
        return {0: "no changes: Canvas matches the specs",
                2: "changes to apply"}.get(code, f"failed (exit {code})")
    return "applied" if code == 0 else f"failed (exit {code})"


def compose(command: str, code: int, stdout: str, stderr: str, specs: list[str],
            env: Env) -> str:
    """The Markdown report: a headline, reconciler's own output, its messages, a footer."""
    count = f"{len(specs)} spec file{'s' if len(specs) != 1 else ''}"
    parts = [f"### reconciler {command}: {_headline(command, code)}", ""]
    if stdout.strip():
        parts += [stdout.rstrip() if command == "plan" else _fence(stdout), ""]
    if stderr.strip():
        opened = " open" if code not in (0, 2) else ""
        parts += [f"<details{opened}><summary>Messages</summary>", "", _fence(stderr), "",
                  "</details>", ""]
    parts.append(f"<sub>{count}{_run_link(env)}</sub>")
    return "\n".join(parts) + "\n"


def _run_link(env: Env) -> str:
    server, repo, run_id = (env.get(k, "") for k in
                            ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    # on a pull request GITHUB_SHA is GitHub's trial merge; the head is what people pushed
    head = (load_event(env).get("pull_request") or {}).get("head", {}).get("sha")
    sha = str(head or env.get("GITHUB_SHA", ""))[:7]
    link = f" · [workflow run]({server}/{repo}/actions/runs/{run_id})" if run_id else ""
    return (f" at {sha}" if sha else "") + link


def truncate(report: str, limit: int, where: str) -> str:
    if len(report) <= limit:
        return report
    return report[:limit].rstrip() + f"\n\n*… cut at {limit:,} characters: {where}.*\n"


def _finish(env: Env, report: str, code: int, has_changes: bool) -> int:
    path = temp_file(env, "report", ".md")
    path.write_text(truncate(report, COMMENT_LIMIT, "the whole report is in the job summary"),
                    encoding="utf-8")
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(truncate(report, SUMMARY_LIMIT, "the whole output is in the job log"))
    set_outputs(env, exitcode=str(code), has_changes=str(has_changes).lower(), report=str(path))
    return 0


def run(env: Env) -> int:
    """Run reconciler, keep its exit code as an output; exit 0 so that the comment is still
    posted when the plan failed (the result step fails the job afterwards)."""
    command = env.get("COMMAND", "plan").strip()
    listing = env.get("SPEC_LIST", "")
    specs = Path(listing).read_text(encoding="utf-8").splitlines() if listing else []
    if not specs:
        return _finish(env, f"### reconciler {command}: no spec files changed, nothing to "
                            f"{command}\n", 0, False)
    problem = _connection_problem(env)
    if problem:
        annotate("error", problem)
        return _finish(env, f"### reconciler {command}: not run\n\n{problem}\n", 1, False)
    mask_token(env)
    argv = command_line(env, specs)
    print("::group::" + shlex.join(argv[1:]), flush=True)
    done = subprocess.run(argv, capture_output=True, text=True, errors="replace", check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    sys.stdout.write(done.stdout)
    sys.stdout.flush()
    sys.stderr.write(done.stderr)
    sys.stderr.flush()
    print("::endgroup::", flush=True)
    has_changes = command == "plan" and done.returncode == 2
    report = compose(command, done.returncode, done.stdout, done.stderr, specs, env)
    return _finish(env, report, done.returncode, has_changes)


# --- comment ----------------------------------------------------------------------------


def marker(key: str) -> str:
    """The hidden first line that identifies this action's comment (one per key)."""
    return f"<!-- reconciler:{re.sub(r'[^A-Za-z0-9._-]', '-', key.strip() or 'plan')} -->"


def json_values(text: str) -> list[Any]:
    """Every JSON value in gh's paginated output (one array per page, back to back)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


def find_comment(comments: Iterable[Any], mark: str) -> int | None:
    """The id of the bot comment that starts with the marker: a person's comment quoting
    it is never edited."""
    for item in comments:
        for comment in item if isinstance(item, list) else [item]:
            body = str(comment.get("body") or "")
            if body.startswith(mark) and (comment.get("user") or {}).get("type") == "Bot":
                return int(comment["id"])
    return None


def _gh_env(env: Env) -> dict[str, str]:
    token = env.get("GH_TOKEN_INPUT", "")
    extra = {"GH_TOKEN": token}
    host = urlparse(env.get("GITHUB_SERVER_URL", "https://github.com")).hostname or ""
    if host and host != "github.com":  # GitHub Enterprise Server
        extra |= {"GH_HOST": host, "GH_ENTERPRISE_TOKEN": token}
    return {**os.environ, **extra}


def gh(env: Env, *args: str, body: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["gh", "api", *args], input=body, capture_output=True,
                              text=True, check=False, env=_gh_env(env))
    except FileNotFoundError:  # a self-hosted runner without the GitHub CLI
        return subprocess.CompletedProcess(["gh"], 127, "", "gh (the GitHub CLI) is not "
                                           "installed on this runner")


def comment(env: Env) -> int:
    """Create the comment, or update the one this action made before. A failure here is a
    warning, never a failed job: the plan is in the job summary either way."""
    pull = load_event(env).get("pull_request")
    if env.get("COMMENT", "true").strip().lower() != "true" or not isinstance(pull, dict):
        return 0
    repo, number = env["GITHUB_REPOSITORY"], pull["number"]
    mark = marker(env.get("COMMENT_KEY", ""))
    listed = gh(env, "--paginate", f"repos/{repo}/issues/{number}/comments?per_page=100")
    if listed.returncode != 0:
        return _comment_failed(listed.stderr)
    existing = find_comment(json_values(listed.stdout), mark)
    if existing is None and env.get("COUNT", "0").strip() == "0":
        return 0  # nothing planned and nothing posted before: stay quiet
    report = Path(env["REPORT"]).read_text(encoding="utf-8")
    body = json.dumps({"body": f"{mark}\n{report}"})
    if existing is None:
        done = gh(env, "--method", "POST", f"repos/{repo}/issues/{number}/comments",
                    "--input", "-", body=body)
    else:
        done = gh(env, "--method", "PATCH", f"repos/{repo}/issues/comments/{existing}",
                    "--input", "-", body=body)
    if done.returncode != 0:
        return _comment_failed(done.stderr)
    print(("Updated" if existing else "Posted") + f" the plan comment on #{number}")
    return 0


def _comment_failed(stderr: str) -> int:
    annotate("warning", f"could not post the plan comment: {stderr.strip()[:500]} (the job "
                        "needs `permissions: pull-requests: write`, and the GitHub CLI)")
    return 0


STEPS: dict[str, Callable[[Env], int]] = {"select": select, "run": run, "comment": comment}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in STEPS:
        print(f"usage: steps.py {{{'|'.join(STEPS)}}}", file=sys.stderr)
        return 2
    try:
        return STEPS[argv[1]](os.environ)
    except Problem as exc:
        annotate("error", str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
