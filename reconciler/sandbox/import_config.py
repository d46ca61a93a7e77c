"""`ImportConfig`: the knobs of the emulated CSV import job (docs/emulator.md, "Knobs").

A leaf module, so `EmulatorState` can hold one without importing the job machinery. The
knobs are read when an import is posted: changing them affects imports posted afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ImportConfig:
    duration_s: float = 0.2  # emulated seconds from `running` to its end
    fail_next: int = 0  # the next N imports end failed ("Unexpected error"), applying nothing
    stall: bool = False  # imports stay running at completion 0 forever (and block the queue)

    def take_failure(self) -> bool:
        """True (and one failure fewer to come) when the import being posted must fail."""
        if self.fail_next <= 0:
            return False
        self.fail_next -= 1
        return True
