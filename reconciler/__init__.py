"""reconciler: keep Canvas LMS group sets, groups and memberships in line with a YAML spec.

The library API (docs/api.md)::

    import reconciler
    spec = reconciler.load_spec({"course": 101, "group_sets": [...]})
    canvas = reconciler.connect("https://canvas.example.edu", token)
    plan = reconciler.plan(spec, canvas)
    report = reconciler.apply(plan, canvas)

Importing the package loads no HTTP or CLI code: the error tree is imported here (it
imports nothing), the API itself on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# `reconciler.plan` is the API function and also the name of a submodule. Python binds a
# package's submodule as its attribute when the submodule is first loaded, which would
# hide the function from then on; loading the submodule now (pure core: no HTTP) and
# dropping that binding keeps `reconciler.plan` the function whatever is imported later.
from reconciler import plan as _plan_module  # noqa: F401
from reconciler.errors import (
    AmbiguousWriteError,
    ApplyError,
    CanvasAuthError,
    CanvasError,
    CanvasNotFoundError,
    CanvasThrottledError,
    ConfigError,
    ConvergenceError,
    PlanDocumentError,
    Problem,
    ReconcilerError,
    SpecError,
    StalePlanError,
    StateError,
    UnsafePlanError,
)
from reconciler.version import __version__ as __version__

del globals()["plan"]

if TYPE_CHECKING:
    from reconciler.api import (
        ApplyReport,
        CanvasClient,
        Limits,
        Plan,
        Spec,
        apply,
        connect,
        load_spec,
        plan,
    )


_API = frozenset({"ApplyReport", "CanvasClient", "Limits", "Plan", "Spec", "apply", "connect",
                  "load_spec", "plan"})

__all__ = [
    "AmbiguousWriteError",
    "ApplyError",
    "ApplyReport",
    "CanvasAuthError",
    "CanvasClient",
    "CanvasError",
    "CanvasNotFoundError",
    "CanvasThrottledError",
    "ConfigError",
    "ConvergenceError",
    "Limits",
    "Plan",
    "PlanDocumentError",
    "Problem",
    "ReconcilerError",
    "Spec",
    "SpecError",
    "StalePlanError",
    "StateError",
    "UnsafePlanError",
    "apply",
    "connect",
    "load_spec",
    "plan",
]


def __getattr__(name: str) -> Any:
    """The API's names (reconciler/api.py), imported on first use: they load requests."""
    if name not in _API:
        raise AttributeError(f"module 'reconciler' has no attribute {name!r}")
    from reconciler import api

    value = getattr(api, name)
    globals()[name] = value  # looked up once; `reconciler.plan` stays the function
    return value
