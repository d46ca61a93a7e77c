"""Reading roster CSV files: UTF-8 text, a header row, rows with their line numbers.

Every failure is a Problem at `file:line` (the header is line 1), never an exception.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import Problem

MAX_CSV_BYTES = 5 * 1024 * 1024

# Canvas's group-set export: name,canvas_user_id[,user_id],login_id,sections,group_name
# [,canvas_group_id[,group_id]] (user_id / group_id are the SIS ids, shown with read_sis).
CANVAS_EXPORT_REQUIRED = ("name", "canvas_user_id", "login_id", "sections", "group_name")
CANVAS_EXPORT_OPTIONAL = ("user_id", "canvas_group_id", "group_id")


@dataclass(frozen=True)
class Table:
    """A CSV file: its display name, header and rows (line number, cells by column)."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]

    def missing(self, column: str, what: str) -> Problem | None:
        if column in self.header:
            return None
        return Problem(self.name, 1, None, f"the {what} column {column!r} is not in the "
                       f"header (columns: {', '.join(self.header) or 'none'})")

    @property
    def is_canvas_export(self) -> bool:
        known = set(CANVAS_EXPORT_REQUIRED) | set(CANVAS_EXPORT_OPTIONAL)
        return set(CANVAS_EXPORT_REQUIRED) <= set(self.header) <= known \
            and self.header[0] == "name"


def _decode(raw: bytes, name: str) -> str | Problem:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(name, line, None, f"the file is not UTF-8 text: byte "
                       f"0x{raw[exc.start]:02x} cannot be decoded; save it as UTF-8 CSV")


def _parse(text: str, name: str) -> Table | Problem:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return Problem(name, 1, None, "the file is empty; it needs a header row")
        columns = tuple(c.strip() for c in header)
        rows: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, dict(zip(columns, cells, strict=False))))
    except csv.Error as exc:
        return Problem(name, reader.line_num, None, f"not a valid CSV file: {exc}")
    return Table(name, columns, tuple(rows))


def read_table(path: Path, name: str) -> Table | Problem:
    """The CSV at `path` (already confined), named `name` in messages."""
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            return Problem(name, None, None, f"the file is {size} bytes; roster files are "
                           f"limited to {MAX_CSV_BYTES} bytes (5 MiB)")
        raw = path.read_bytes()
    except OSError as exc:
        return Problem(name, None, None, f"cannot read the file: {exc.strerror or exc}")
    text = _decode(raw, name)
    return text if isinstance(text, Problem) else _parse(text, name)


def cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def columns_present(table: Table, wanted: Sequence[tuple[str, str]]) -> list[Problem]:
    """Problems for each (column, what) the table's header lacks."""
    return [p for c, w in wanted if (p := table.missing(c, w)) is not None]
