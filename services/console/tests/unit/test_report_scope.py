"""The console's report scope: fixed calendar bins only, areas only as the outcomes service lists them."""

from __future__ import annotations

from datetime import date

import pytest
from linkwork_console.web.charts import Point, bar_chart
from linkwork_console.web.report_scope import AreaChoice, BadScope, Bin, areas_of, children, choices, parse_area

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "query", "label"),
    [
        ("2026", {"start": "2026-01", "end": "2026-12"}, "January to December 2026"),
        ("2026-Q2", {"start": "2026-04", "end": "2026-06"}, "April to June 2026"),
        ("2026-11", {"start": "2026-11", "end": "2026-11"}, "November 2026"),
    ],
)
def test_a_period_is_a_calendar_year_quarter_or_month(text: str, query: dict[str, str], label: str) -> None:
    period = Bin.parse(text)
    assert period.query == query and period.label == label and period.key == text


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "2026-01-02", "26", "2026-01'--", ""])
def test_anything_else_is_refused_without_echoing_it(text: str) -> None:
    with pytest.raises(BadScope) as refused:
        Bin.parse(text)
    assert text not in str(refused.value) or text == ""


def test_the_choices_stop_at_this_month_and_the_trend_covers_the_year_so_far() -> None:
    today = date(2026, 5, 7)
    (this_year, bins), (last_year, older) = choices(today)
    assert this_year == "2026" and [b.key for b in bins] == [
        "2026",
        "2026-Q1",
        "2026-Q2",
        *(f"2026-0{m}" for m in range(1, 6)),
    ]
    assert last_year == "2025" and len(older) == 17
    assert [m.key for m in Bin.parse("2026-Q1").months(today)] == [f"2026-0{m}" for m in range(1, 6)]
    assert len(Bin.parse("2025").months(today)) == 12


def test_the_comparison_is_one_level_down() -> None:
    areas = areas_of(
        {
            "areas": [
                {"level": "practice", "code": "Z99001", "parent": "U00001"},
                {"level": "pcn", "code": "U00001", "parent": "15F"},
                {"level": "pcn", "code": "U00002", "parent": "36J"},
                {"level": "sub_icb", "code": "15F", "parent": "QWO"},
                {"level": "sub_icb", "code": "36J", "parent": "QWO"},
                {"level": "icb", "code": "QWO", "parent": None},
            ]
        }
    )
    assert areas[0] == AreaChoice("icb", "QWO", None)
    assert [a.code for a in children(areas, areas[0])] == ["U00001", "U00002"]
    assert [a.code for a in children(areas, AreaChoice("pcn", "U00001", "15F"))] == ["Z99001"]
    assert children(areas, AreaChoice("practice", "Z99001", "U00001")) == []
    assert parse_area("pcn:U00001") == ("pcn", "U00001")
    with pytest.raises(BadScope):
        parse_area("pcn:U00001<script>")


def test_a_chart_is_an_image_with_a_description_and_no_inline_style() -> None:
    svg = str(bar_chart("c", "Referrals <each> month", [Point("Jan", 12), Point("Feb", None, suppressed=True)]))
    assert 'role="img"' in svg and "<title" in svg and "1 suppressed" in svg and "&lt;each&gt;" in svg
    assert "style=" not in svg
