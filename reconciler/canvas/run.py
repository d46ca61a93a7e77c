"""The state of one apply run, shared by its operation handlers (apply.py, importer.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.canvas.api import WriteAPI
from reconciler.canvas.report import ApplyReport

GroupKey = tuple[str, str]
STALL_AFTER = 120.0  # seconds an import may show no progress before it counts as failed


class Skip(Exception):
    """The operation depends on one that did not happen."""


class Failed(Exception):
    """The operation failed for a reason that is not a CanvasError."""


@dataclass
class Run:
    """What the handlers share: the client, the ids known when the plan was made, the
    report (with the ids created so far), and what did not happen (for skipping)."""

    client: WriteAPI
    course_id: int
    known_sets: frozenset[int]
    known_groups: frozenset[int]
    report: ApplyReport = field(default_factory=ApplyReport)
    lost_sets: set[str] = field(default_factory=set)
    lost_groups: set[GroupKey] = field(default_factory=set)
    lost_members: set[GroupKey] = field(default_factory=set)
    stall_after: float = STALL_AFTER

    def set_id(self, set_name: str, given: int | None) -> int:
        """A set's Canvas id: `given`, else the one this apply created."""
        if given is not None:
            return given
        if set_name in self.lost_sets:
            raise Skip(f"group set {set_name!r} was not created")
        if set_name not in self.report.created_sets:
            raise Failed(f"no Canvas id known for group set {set_name!r}")
        return self.report.created_sets[set_name]
