"""The library API: load a spec, connect to Canvas, plan, apply. A thin face over engine.

For applications that keep groups in their own database and push them to Canvas from a web
view or a job, synchronously. Nothing here prints, prompts, exits, configures logging or
installs signal handlers: every outcome is a return value or an error of the one tree in
reconciler.errors (docs/api.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reconciler import engine
from reconciler.canvas.api import WriteAPI
from reconciler.canvas.client import CanvasClient
from reconciler.canvas.report import ApplyReport, OpOutcome
from reconciler.document import plan_from_dict, plan_to_dict
from reconciler.errors import ConfigError, ConvergenceError
from reconciler.guards import DEFAULT_LIMITS, Limits
from reconciler.ops import Operation
from reconciler.plan import Plan as CorePlan
from reconciler.spec import Spec, load, load_data
from reconciler.spec.loader import load_source, parse_text

__all__ = [
    "ApplyReport", "CanvasClient", "Limits", "Plan", "Spec", "apply", "connect", "load_spec",
    "plan",
]

MAX_CONCURRENCY = 32  # as the CLI's --concurrency
SpecSource = Mapping[str, Any] | str | os.PathLike[str]
Progress = Callable[[Operation, OpOutcome], None]


@dataclass(frozen=True)
class Plan(CorePlan):
    """The engine's Plan (`is_empty`, `operations`, `counts()`, `warnings`, ...) with its
    JSON document: `to_dict()` and `Plan.from_dict(doc)` (docs/plan-format.md)."""

    def to_dict(self) -> dict[str, Any]:
        """The plan document: JSON-safe, and read back by `Plan.from_dict`."""
        return plan_to_dict(self)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Plan:
        """A plan from its document (PlanDocumentError if it is not one), to apply later."""
        return _public(plan_from_dict(doc))


def _public(plan: CorePlan) -> Plan:
    if isinstance(plan, Plan):
        return plan
    return Plan(**{f.name: getattr(plan, f.name) for f in fields(plan)})


def load_spec(source: SpecSource, *, base_dir: Path | None = None,
              name: str | None = None) -> Spec:
    """A validated spec from a dict (the same keys and values as the YAML file), YAML text
    (a `str` is always text, never a file name), or a `Path` to a spec file.

    Roster files a dict or text names are read relative to `base_dir`; without it, naming
    one is a problem (there is no directory to guess). A file's are read beside it.
    `name` is how problems name the source (default `<dict>` / `<text>` / the path).
    Raises SpecError carrying every problem, each with its field path."""
    if isinstance(source, str):
        return load_source(parse_text(source, name or "<text>"), base_dir)
    if isinstance(source, Mapping):
        return load_data(source, name or "<dict>", base_dir=base_dir)
    if isinstance(source, os.PathLike):
        if base_dir is not None or name is not None:
            raise TypeError("base_dir and name are for a spec given as a dict or text; "
                            "a spec file's roster files are read beside it")
        return load(Path(source))
    raise TypeError("load_spec takes a dict, YAML text (str) or a pathlib.Path, "
                    f"not {type(source).__name__}")


def connect(url: str, token: str, *, concurrency: int = 8) -> CanvasClient:
    """A client for one Canvas and one token: https only (plain http only to a loopback
    host), the token sent to that origin only and never shown in a repr or an error.
    At most `concurrency` requests in flight (1..32). Raises ConfigError."""
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ConfigError(f"concurrency must be between 1 and {MAX_CONCURRENCY}, "
                          f"got {concurrency}")
    return CanvasClient(url, token, concurrency=concurrency)


def plan(spec: Spec, canvas: WriteAPI, *, bulk: bool = True,
         limits: Limits = DEFAULT_LIMITS) -> Plan:
    """What applying `spec` would change in Canvas. Reads only.

    `bulk`: let Canvas's group-set CSV import carry the member writes it can (False: one
    request per group). `limits`: the removal thresholds that warn here and refuse in
    apply unless forced (docs/safety.md). Raises CanvasError, StateError, SpecError (a
    member the course roster does not have)."""
    return _public(engine.plan_loaded(spec, canvas, limits, bulk=bulk).plan)


def apply(plan: CorePlan, canvas: WriteAPI, *, allow_delete: bool = False,
          force: bool = False, limits: Limits = DEFAULT_LIMITS,
          snapshot_dir: Path | None = None, on_progress: Progress | None = None,
          should_stop: Callable[[], bool] | None = None) -> ApplyReport:
    """Apply `plan` as it is, then read Canvas back and verify. No confirmation: the caller
    decided. An empty plan returns an empty report without a request.

    Canvas is read first: a plan whose ground moved is refused (StalePlanError, with what
    moved); deletions need `allow_delete`, a plan over a removal threshold `force`
    (UnsafePlanError). `snapshot_dir`: write a restorable spec of the sets about to
    change there first (default: none). `on_progress(op, outcome)` is called after each
    operation, one call at a time; once `should_stop()` is true nothing new starts.
    Raises ApplyError (`.report`) when an operation failed or was skipped, and
    ConvergenceError (`.report`, `.residual`) when Canvas still differs afterwards."""
    if plan.is_empty:
        return ApplyReport()
    options = engine.ApplyOptions(allow_delete=allow_delete, force=force, limits=limits,
                                  snapshot_dir=snapshot_dir)
    try:
        result = engine.apply_saved(plan, canvas, confirm=_decided, options=options,
                                    on_progress=on_progress, should_stop=should_stop)
    except ConvergenceError as exc:
        exc.residual = _public(exc.residual)
        raise
    return result.report if result is not None else ApplyReport()


def _decided(_plan: CorePlan) -> bool:
    return True
