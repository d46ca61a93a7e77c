"""Counts in words: "1 group", "2 groups". Pure."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and the noun, plural unless the count is one (`many`: an irregular plural)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
