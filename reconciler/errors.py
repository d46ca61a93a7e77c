"""One exception tree. Every error carries an exit code and a message fit for a user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class ReconcilerError(Exception):
    """Base of every expected failure; the CLI prints `message` and exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One problem found in a spec: where it is, and what is wrong."""

    file: str
    line: int | None
    column: int | None
    message: str
    field: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"{self.location()}: {self.message}{where}"


class SpecError(ReconcilerError):
    """The spec is invalid. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the spec:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ConfigError(ReconcilerError):
    """Bad command-line or environment configuration (missing token, unsafe URL, ...)."""


class CanvasError(ReconcilerError):
    """Canvas answered with an error, or could not be reached. Never carries the token."""

    kind = "error"

    def __init__(
        self,
        method: str,
        path: str,
        status: int | None,
        canvas_message: str,
        *,
        advice: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.canvas_message = canvas_message
        self.advice = advice
        status_text = f"HTTP {status}" if status is not None else "no response"
        text = f"Canvas {method} {path} failed: {status_text}: {canvas_message}"
        if advice:
            text += f"\n  {advice}"
        super().__init__(text)


class CanvasAuthError(CanvasError):
    kind = "auth"


class CanvasNotFoundError(CanvasError):
    kind = "not_found"


class CanvasThrottledError(CanvasError):
    kind = "throttled"


class AmbiguousWriteError(CanvasError):
    """A POST may or may not have been executed (timeout, dropped connection, 5xx, unreadable
    200). Canvas has no idempotency key, so the caller must re-list and adopt, not retry."""

    kind = "ambiguous"


class StateError(ReconcilerError):
    """Canvas holds something the engine will not guess about (two same-named groups in a
    managed set, a spec set that matches a protected category, ...)."""


class StalePlanError(ReconcilerError):
    """A saved plan no longer matches Canvas or the spec; it must be made again. `plan` is
    the plan refused (shown before the reason), `changes` what moved since it was made."""

    def __init__(self, message: str, plan: Any = None, changes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.plan = plan
        self.changes = tuple(changes)


class PlanDocumentError(ReconcilerError):
    """A saved plan file is not a plan document this version can read."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"invalid plan document: {detail}")


class UnsafePlanError(ReconcilerError):
    """The plan breaks a safety rule (deletions without --allow-delete, a removal threshold,
    a section-limited token, ...). Nothing is written. `plan` is the plan refused."""

    def __init__(self, message: str, plan: Any = None) -> None:
        super().__init__(message)
        self.plan = plan


class ApplyError(ReconcilerError):
    """Apply did not fully succeed. `report` (a canvas.ApplyReport) says what was done,
    failed and skipped."""

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


class ConvergenceError(ApplyError):
    """Apply wrote everything, but Canvas still differs from the spec (Canvas silently drops
    members it rejects). `residual` is the plan of what is left; `report` what was done."""

    def __init__(self, message: str, report: Any, residual: Any) -> None:
        super().__init__(message, report)
        self.residual = residual
