"""The CSV import path end to end: a set with many groups to fill is filled by one import
(POST .../import, Progress polled) instead of one PUT per group; a failed or stalled import
is reported as failed and a re-run converges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from reconciler import engine
from reconciler.canvas import CanvasClient
from reconciler.errors import ApplyError, StateError
from reconciler.ops import ImportMembers
from reconciler.sandbox import SandboxServer

from .helpers import categories, groups_of, member_logins, run, write_spec

GROUPS = 10  # new groups, each a create and a write: bulk.BULK_MIN_SAVED requests


def _spec_text() -> str:
    lines = ["course: 101", "group_sets:", "  - name: Studios", "    groups:"]
    for n in range(GROUPS):
        members = ", ".join(f"s{3 * n + k:02d}" for k in (1, 2, 3))
        lines += [f"      - name: Studio {n + 1}", f"        members: [{members}]"]
    return "\n".join(lines) + "\n"


def _writes(server: SandboxServer, start: int = 0) -> list[str]:
    return [e.kind for e in server.state.write_log[start:]]


def _client(server: SandboxServer) -> CanvasClient:
    return CanvasClient(server.base_url, server.token)  # real sleeps: stalls are timed


def test_many_groups_are_filled_by_one_import_and_the_plan_after_is_empty(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _spec_text())
    planned = run(sandbox, "plan", str(spec))
    assert planned.exit_code == 0, planned.output
    assert f"~ members of {GROUPS} groups in \"Studios\": +30  via import" in planned.output

    applied = run(sandbox, "apply", str(spec), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    kinds = _writes(sandbox)
    assert kinds.count("queue_group_category_import") == 1
    assert "set_members" not in kinds and "create_group" not in kinds  # the import made them

    studios = groups_of(sandbox, categories(sandbox)["Studios"]["id"])
    assert set(studios) == {f"Studio {n + 1}" for n in range(GROUPS)}
    assert member_logins(sandbox, studios["Studio 2"]["id"]) == {"s04", "s05", "s06"}
    again = run(sandbox, "plan", str(spec), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_no_bulk_fills_each_group_with_its_own_request(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _spec_text())
    planned = run(sandbox, "plan", str(spec), "--no-bulk")
    assert "via import" not in planned.output
    applied = run(sandbox, "apply", str(spec), "--auto-approve", "--no-bulk")
    assert applied.exit_code == 0, applied.output
    kinds = _writes(sandbox)
    assert "queue_group_category_import" not in kinds
    assert kinds.count("create_group") == GROUPS
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 0


def test_a_failed_import_is_reported_and_a_rerun_converges(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _spec_text())
    sandbox.state.import_config.fail_next = 1

    failed = run(sandbox, "apply", str(spec), "--auto-approve")
    assert failed.exit_code == 1, failed.output
    assert "the import ended failed" in failed.output
    assert "Traceback" not in failed.output

    rerun = run(sandbox, "apply", str(spec), "--auto-approve")
    assert rerun.exit_code == 0, rerun.output
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 0


def test_a_stalled_import_fails_after_the_stall_timeout_and_a_rerun_converges(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _spec_text())
    sandbox.state.import_config.stall = True
    options = engine.ApplyOptions(stall_after=0.6)
    client = _client(sandbox)

    try:
        engine.apply(spec, client, options=options, confirm=lambda _: True)
    except ApplyError as exc:
        failed = [op for op, _ in exc.report.failed]
        assert [type(op) for op in failed] == [ImportMembers]
        assert "made no progress for 0.6 s" in exc.report.failed[0][1]
    else:
        raise AssertionError("a stalled import was taken for a finished one")

    # the next plan waits for the import still running, and says so when it stays stuck
    try:
        engine.make_plan(spec, client, settle_within=0.6)
    except StateError as exc:
        assert "'Studios' has an import still running" in exc.message
    else:
        raise AssertionError("planned over an import still running")

    # Canvas's job runner recovers: the stuck job finishes, and the plan waits for it
    sandbox.state.import_config.stall = False
    for job in sandbox.state.t.import_jobs.values():
        job.stall = False
    assert engine.make_plan(spec, client).plan.is_empty


def test_sandbox_serve_import_knobs_fail_the_next_import(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _spec_text())
    server = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0",
         "--import-duration", "0", "--import-fail-next", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        env = {**os.environ, "CANVAS_API_TOKEN": "sandbox-token",
               "CANVAS_BASE_URL": server.stdout.readline().strip()}

        def apply() -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "reconciler", "apply", str(spec),
                                   "--auto-approve"], env=env, capture_output=True,
                                  text=True, timeout=60)

        failed, converged = apply(), apply()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert failed.returncode == 1 and "the import ended failed" in failed.stdout + failed.stderr
    assert converged.returncode == 0, converged.stdout + converged.stderr
