"""ApplyReport: what apply did, what failed and what it skipped (and why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from reconciler.ops import Operation

Status = Literal["done", "failed", "skipped"]


@dataclass(frozen=True)
class OpOutcome:
    """The result of one operation; `detail` is a message fit for a user."""

    status: Status
    detail: str


@dataclass
class ApplyReport:
    """done / failed / skipped lists of (operation, detail), in execution order.

    `created_sets` / `created_groups` are the Canvas ids of objects created (or adopted after
    an ambiguous create) during this apply. Only user ids appear, never names or emails.
    """

    done: list[tuple[Operation, str]] = field(default_factory=list)
    failed: list[tuple[Operation, str]] = field(default_factory=list)
    skipped: list[tuple[Operation, str]] = field(default_factory=list)
    created_sets: dict[str, int] = field(default_factory=dict)
    created_groups: dict[tuple[str, str], int] = field(default_factory=dict)

    def record(self, op: Operation, outcome: OpOutcome) -> None:
        {"done": self.done, "failed": self.failed, "skipped": self.skipped}[
            outcome.status].append((op, outcome.detail))

    @property
    def ok(self) -> bool:
        """True when every operation was done."""
        return not self.failed and not self.skipped

    def counts(self) -> dict[str, int]:
        return {"done": len(self.done), "failed": len(self.failed),
                "skipped": len(self.skipped)}

    def lines(self) -> list[str]:
        """One line per failed or skipped operation, then the counts (for the CLI)."""
        out = [f"failed  {op.describe()}: {detail}" for op, detail in self.failed]
        out += [f"skipped {op.describe()}: {detail}" for op, detail in self.skipped]
        counts = self.counts()
        out.append(f"{counts['done']} done, {counts['failed']} failed, "
                   f"{counts['skipped']} skipped")
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        def rows(items: list[tuple[Operation, str]]) -> list[dict[str, Any]]:
            return [{"op": op.as_dict(), "detail": detail} for op, detail in items]

        return {
            "ok": self.ok,
            "counts": self.counts(),
            "done": rows(self.done),
            "failed": rows(self.failed),
            "skipped": rows(self.skipped),
            "created_sets": dict(sorted(self.created_sets.items())),
            "created_groups": [{"set": s, "group": g, "canvas_id": i}
                               for (s, g), i in sorted(self.created_groups.items())],
        }
