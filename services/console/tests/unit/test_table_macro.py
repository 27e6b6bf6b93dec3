"""The shared `table` macro: each row from the caller, numbered from 1 for a caller that declares the number."""

from __future__ import annotations

import pytest
from linkwork_console.app import templates

pytestmark = pytest.mark.unit


def _render(call: str, body: str) -> str:
    source = '{% from "_tables.html" import table %}' + call + body + "{% endcall %}"
    return templates().from_string(source).render(rows=["a", "b", "a"])


def test_a_caller_that_declares_the_number_gets_each_rows_own() -> None:
    html = _render('{% call(row, number) table("Letters", ("Letter",), rows) %}', "<tr>{{ number }}{{ row }}</tr>")
    assert [line.strip() for line in html.splitlines() if "<tr>" in line and "<th" not in line] == [
        "<tr>1a</tr>",
        "<tr>2b</tr>",
        "<tr>3a</tr>",
    ]


def test_a_caller_of_the_row_alone_still_gets_one_argument() -> None:
    html = _render('{% call(row) table("Letters", ("Letter",), rows) %}', "<tr>{{ row }}</tr>")
    assert html.count("<tr>a</tr>") == 2 and "<tr>b</tr>" in html
