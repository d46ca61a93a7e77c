"""Ruby's CSV, as Canvas reads and writes group CSVs (Q-CSV-PARSE, Q-EXPORT-FORMAT;
docs/canvas-quirks.md).

Reading follows `SIS::CSV::CSVBaseImporter::PARSE_ARGS`: the first row is the header,
`encoding: "bom|utf-8"` (a leading BOM is dropped), `skip_blanks` (empty lines are skipped),
`header_converters: :downcase` (header names are lower-cased, not stripped) and a converter
`f&.strip&.presence` (values are stripped; blank ones are absent). Ruby's parser is strict,
unlike Python's `csv`: a quote inside an unquoted field, anything after a closing quote but
a separator, an unclosed quote, or a line break that is not the file's row separator raise
`MalformedCSV`. The row separator is the first of `\\r\\n`, `\\n`, `\\r` in the file.

Writing follows `CSV.generate`: `,` separators, rows ending `\\n`, a field quoted only when
it holds `,`, `"`, `\\r` or `\\n` (quotes doubled); nil is an empty field and an empty string
is `""` (Ruby's `quote_empty`).
"""

from __future__ import annotations

from collections.abc import Iterable

Row = dict[str, str | None]
RUBY_STRIP = " \t\n\v\f\r\0"  # String#strip: ASCII whitespace and NUL
NEEDS_QUOTES = frozenset(',"\r\n')


class MalformedCSV(Exception):
    """Ruby's CSV::MalformedCSVError."""


def read_rows(text: str) -> list[Row]:
    """The data rows as header → value dicts (the first of duplicate headers wins)."""
    records = [r for r in parse(text.removeprefix("\ufeff")) if r != [""]]
    if not records:
        return []
    headers = [name.lower() for name in records[0]]
    return [_row(headers, record) for record in records[1:]]


def _row(headers: list[str], record: list[str]) -> Row:
    row: Row = {}
    for name, value in zip(headers, record, strict=False):
        row.setdefault(name, presence(value))
    return row


def presence(value: str) -> str | None:
    """`value.strip.presence`: Ruby's strip, then blank (any Unicode space) is nil."""
    stripped = value.strip(RUBY_STRIP)
    return stripped if stripped.strip() else None


def parse(text: str) -> list[list[str]]:
    """Records of fields, strictly (raises MalformedCSV); an empty line is `[""]`."""
    parser = _Parser(text, _row_separator(text))
    return parser.records()


def _row_separator(text: str) -> str:
    for index, char in enumerate(text):
        if char == "\r":
            return "\r\n" if text.startswith("\r\n", index) else "\r"
        if char == "\n":
            return "\n"
    return "\n"


class _Parser:
    def __init__(self, text: str, row_sep: str) -> None:
        self.text = text
        self.row_sep = row_sep
        self.pos = 0

    def records(self) -> list[list[str]]:
        records: list[list[str]] = []
        while self.pos < len(self.text):
            records.append(self._record())
        return records

    def _record(self) -> list[str]:
        fields = [self._field()]
        while self.pos < len(self.text) and self.text[self.pos] == ",":
            self.pos += 1
            fields.append(self._field())
        if self.text.startswith(self.row_sep, self.pos):
            self.pos += len(self.row_sep)
        return fields

    def _field(self) -> str:
        if self.text.startswith('"', self.pos):
            return self._quoted()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] != ",":
            if self.text.startswith(self.row_sep, self.pos):
                break
            char = self.text[self.pos]
            if char == '"':
                raise self._error("Illegal quoting")
            if char in "\r\n":
                raise self._error("Unquoted fields do not allow new line")
            self.pos += 1
        return self.text[start:self.pos]

    def _quoted(self) -> str:
        self.pos += 1
        parts: list[str] = []
        while True:
            end = self.text.find('"', self.pos)
            if end < 0:
                raise self._error("Unclosed quoted field")
            parts.append(self.text[self.pos:end])
            self.pos = end + 1
            if not self.text.startswith('"', self.pos):
                break
            parts.append('"')
            self.pos += 1
        if self.pos < len(self.text) and self.text[self.pos] != "," \
                and not self.text.startswith(self.row_sep, self.pos):
            raise self._error("Any value after quoted field isn't allowed")
        return "".join(parts)

    def _error(self, what: str) -> MalformedCSV:
        return MalformedCSV(f"{what} in line {self.text.count(self.row_sep, 0, self.pos) + 1}.")


def write_rows(rows: Iterable[list[str | int | None]]) -> bytes:
    """`CSV.generate` of the rows, UTF-8."""
    return "".join(",".join(_cell(v) for v in row) + "\n" for row in rows).encode()


def _cell(value: str | int | None) -> str:
    if value is None:
        return ""
    text = str(value)
    if text == "" or NEEDS_QUOTES & set(text):
        return '"' + text.replace('"', '""') + '"'
    return text
