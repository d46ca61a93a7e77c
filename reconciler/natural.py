"""Natural order for names people give groups: "Pair 2" before "Pair 10". Pure."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")

NaturalKey = tuple[tuple[int, int, str], ...]


def natural_key(text: str) -> NaturalKey:
    """Runs of digits compare as numbers, the rest without case; the text itself breaks
    ties, so distinct names never compare equal ("Team 01" and "Team 1" keep an order)."""
    parts = _DIGITS.split(text.casefold())
    chunks = [(1, int(p), p) if i % 2 else (0, 0, p) for i, p in enumerate(parts)]
    return (*chunks, (2, 0, text))
