"""`reconciler demo`: plan → apply → plan against an in-process emulator, no Canvas needed."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from reconciler import engine
from reconciler.canvas.client import CanvasClient
from reconciler.errors import ReconcilerError
from reconciler.ops import Operation
from reconciler.render import render
from reconciler.sandbox import SandboxServer, seed_demo_state
from reconciler.sandbox.seed import DEMO_STUDENT_COUNT
from reconciler.wording import plural

Echo = Callable[[str], None]


def demo_spec_text() -> str:
    return resources.files(__package__).joinpath("course-101.yaml").read_text(encoding="utf-8")


def run_demo(echo: Echo) -> engine.ApplyResult:
    """Run the three steps, echoing what a user would see at each."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "course-101.yaml"
        spec.write_text(demo_spec_text(), encoding="utf-8")
        with SandboxServer(seed_demo_state()) as server:
            client = CanvasClient(server.base_url, server.token)
            echo(f"Canvas emulator running at {server.base_url} "
                 f"(course 101: {DEMO_STUDENT_COUNT} made-up students).\n")
            return _three_steps(echo, spec, client)


def _three_steps(echo: Echo, spec: Path, client: CanvasClient) -> engine.ApplyResult:
    echo(f"$ reconciler plan {spec.name}")
    echo(render(engine.make_plan(spec, client).plan, "text"))
    echo(f"\n$ reconciler apply {spec.name} --auto-approve")

    def progress(op: Operation, outcome: object) -> None:
        echo(f"  {getattr(outcome, 'status', '?'):<7} {op.describe()}")

    result = engine.apply(spec, client, confirm=lambda _: True,
                          on_progress=progress)
    if result is None:
        raise ReconcilerError("the demo spec planned no changes on a fresh emulator")
    echo(f"Apply complete: {plural(len(result.plan.operations), 'operation')}; "
         "Canvas re-read and verified.\n")
    echo(f"$ reconciler plan {spec.name}")
    echo(render(engine.make_plan(spec, client).plan, "text"))
    return result
