"""Ctrl-C in the middle of an apply, and a verification read that fails after the writes:
both stop with an exact account, and a re-run converges."""

from __future__ import annotations

from pathlib import Path

from reconciler import engine
from reconciler.errors import ApplyError
from reconciler.sandbox.faults import UNAVAILABLE
from tests.conftest import SandboxFactory

from .scenario import (
    PER_REQUEST,
    TRUSTED,
    account_problems,
    apply_once,
    build,
    fast_client,
    log_problems,
)

STOP_AFTER = 25


def test_ctrl_c_skips_the_rest_as_interrupted_and_a_rerun_converges(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    server = sandbox_factory()
    scenario = build(server.state, 3, tmp_path)
    client = fast_client(server, 3)
    planned = engine.make_plan(scenario.spec, client, bulk=False).plan

    stopped = apply_once(server, scenario.spec, client, stop_after=STOP_AFTER,
                         options=PER_REQUEST)

    assert stopped.ending == "ApplyError" and stopped.report is not None
    report = stopped.report
    ops = list(planned.operations)
    assert [op for op, _ in report.done] == ops[:STOP_AFTER]
    assert [op for op, _ in report.skipped] == ops[STOP_AFTER:]
    assert {detail for _, detail in report.skipped} == {"interrupted"}
    assert report.failed == []
    assert len(stopped.events) == STOP_AFTER  # one write per finished op, none after
    assert account_problems(server.state, stopped) == []

    rerun = apply_once(server, scenario.spec, client, options=PER_REQUEST)
    assert rerun.ending == "converged", rerun.message
    assert len(rerun.outcomes) == len(ops) - STOP_AFTER
    assert engine.make_plan(scenario.spec, client).plan.is_empty
    assert log_problems(server.state, scenario) == []


class _AlwaysUnavailable:
    def draw(self) -> str:
        return UNAVAILABLE


def test_failed_verification_read_still_reports_what_was_written(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    """Bug found: a CanvasError while re-reading Canvas after the writes escaped engine.apply
    as a bare CanvasError, losing the account of every write made."""
    server = sandbox_factory()
    scenario = build(server.state, 4, tmp_path)
    client = fast_client(server, 4)
    total = len(engine.make_plan(scenario.spec, client).plan.operations)
    finished: list[object] = []

    def progress(op: object, outcome: object) -> None:
        finished.append(op)
        if len(finished) == total:  # Canvas goes down just after the last write
            server.app.faults = _AlwaysUnavailable()  # type: ignore[assignment]

    try:
        engine.apply(scenario.spec, client, options=TRUSTED, confirm=lambda _: True,
                     on_progress=progress)
    except ApplyError as exc:
        report = exc.report
        assert "could not be read back" in exc.message and "503" in exc.message
    else:
        raise AssertionError("apply claimed success without verifying")
    assert len(report.done) == total and report.ok

    server.app.faults = None
    assert engine.make_plan(scenario.spec, client).plan.is_empty
