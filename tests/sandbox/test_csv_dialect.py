"""Ruby's CSV as Canvas reads group CSVs (PARSE_ARGS) and writes exports (Q-CSV-PARSE,
Q-EXPORT-FORMAT; docs/canvas-quirks.md)."""

from __future__ import annotations

import pytest

from reconciler.sandbox.csv_dialect import MalformedCSV, parse, read_rows, write_rows


@pytest.mark.parametrize(("text", "rows"), [
    pytest.param("A,B\n1,2\n", [{"a": "1", "b": "2"}], id="header names lower-cased"),
    pytest.param("\ufeffa,b\r\n1,2\r\n", [{"a": "1", "b": "2"}], id="BOM dropped, CRLF"),
    pytest.param("a,b\n  1 ,\t\n", [{"a": "1", "b": None}], id="values stripped, blank absent"),
    pytest.param("a,b\n\u00a0,x\n", [{"a": None, "b": "x"}], id="a Unicode space is blank"),
    pytest.param(" a,b\n1,2\n", [{" a": "1", "b": "2"}], id="header names not stripped"),
    pytest.param("a,b\n\n1,2\n\n", [{"a": "1", "b": "2"}], id="blank lines skipped"),
    pytest.param("a,b\n1\n1,2,3\n", [{"a": "1"}, {"a": "1", "b": "2"}],
                 id="short and long rows"),
    pytest.param("a,a\n1,2\n", [{"a": "1"}], id="first of duplicate headers"),
    pytest.param('a,b\n"x, ""y""",\n', [{"a": 'x, "y"', "b": None}], id="quoting"),
    pytest.param('a\n"two\nlines"\n', [{"a": "two\nlines"}], id="line break inside quotes"),
    pytest.param("a;b\n1;2\n", [{"a;b": "1;2"}], id="semicolons are no separator"),
    pytest.param("a,b\r1,2\r", [{"a": "1", "b": "2"}], id="CR row separator"),
    pytest.param("", [], id="empty file"),
    pytest.param("a,b\n", [], id="header only"),
])
def test_read_rows(text: str, rows: list[dict[str, str | None]]) -> None:
    assert read_rows(text) == rows


@pytest.mark.parametrize("text", [
    pytest.param('a,b\n1,"2\n', id="unclosed quote"),
    pytest.param('a,b\n1,x"y\n', id="quote in an unquoted field"),
    pytest.param('a,b\n1,"x"y\n', id="value after a closing quote"),
    pytest.param("a,b\n1,x\ry\n", id="stray CR with LF rows"),
    pytest.param("a,b\r\n1,x\ny\r\n", id="stray LF with CRLF rows"),
])
def test_malformed_csv_is_refused(text: str) -> None:
    with pytest.raises(MalformedCSV):
        parse(text)


def test_write_rows_quotes_like_ruby() -> None:
    rows: list[list[str | int | None]] = [["name", "id"], ["Doe, Jane", 5],
                                          ['say "hi"', None], ["", "x\ny"]]
    assert write_rows(rows) == b'name,id\n"Doe, Jane",5\n"say ""hi""",\n"",' + b'"x\ny"\n'
