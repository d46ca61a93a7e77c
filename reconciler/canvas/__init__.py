"""The HTTP edge: the only package that imports requests.

client.py sends (auth, pagination, retries, error translation), wire.py is Canvas's wire
format in both directions, fetch.py reads Canvas into model values, apply.py writes a Plan's
operations, report.py describes what apply did.
"""

from reconciler.canvas.api import ReadAPI, WriteAPI
from reconciler.canvas.apply import PlanLike, apply_plan
from reconciler.canvas.client import CanvasClient
from reconciler.canvas.fetch import fetch_roster, fetch_state, resolve_course_id
from reconciler.canvas.report import ApplyReport, OpOutcome
from reconciler.canvas.retry import NO_RETRY, RetryPolicy

__all__ = [
    "NO_RETRY",
    "ApplyReport",
    "CanvasClient",
    "OpOutcome",
    "PlanLike",
    "ReadAPI",
    "RetryPolicy",
    "WriteAPI",
    "apply_plan",
    "fetch_roster",
    "fetch_state",
    "resolve_course_id",
]
