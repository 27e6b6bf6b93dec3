"""Reporting periods in whole UK months, and who may see which scope."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from linkwork_outcomes.domain.access import ScopeRefused, report_pcn
from linkwork_outcomes.domain.period import MonthRange, months_back, next_month, parse_month
from linkwork_runtime.principal import Principal, Role

pytestmark = pytest.mark.unit


def test_month_range_bounds_are_uk_instants() -> None:
    months = MonthRange.parse("2025-03", "2025-04")
    assert months.first == date(2025, 3, 1) and months.last == date(2025, 4, 1)
    assert months.start.isoformat() == "2025-03-01T00:00:00+00:00"  # GMT
    assert months.end.utcoffset() is not None and months.end.isoformat() == "2025-05-01T00:00:00+01:00"  # BST
    assert months.label(months.first) == "2025-03"


def test_month_arithmetic_crosses_years() -> None:
    assert next_month(date(2024, 12, 1)) == date(2025, 1, 1)
    assert months_back(date(2025, 2, 1), 3) == date(2024, 11, 1)
    assert MonthRange.ending(date(2025, 3, 1), 12).first == date(2024, 4, 1)


@pytest.mark.parametrize(
    ("start", "end"), [("2025-13", "2025-12"), ("25-01", "2025-02"), ("2025-05", "2025-01"), ("2000-01", "2025-01")]
)
def test_bad_periods_are_refused(start: str, end: str) -> None:
    with pytest.raises(ValueError):
        MonthRange.parse(start, end)


def test_parse_month() -> None:
    assert parse_month("2031-07") == date(2031, 7, 1)
    assert isinstance(MonthRange.parse("2025-01", "2025-01").start, datetime)


def test_pcn_admins_see_their_own_pcn_and_commissioners_any() -> None:
    admin = Principal("a", Role.PCN_ADMIN, "U10001")
    assert report_pcn(admin, None) == "U10001"
    assert report_pcn(admin, "U10001") == "U10001"
    with pytest.raises(ScopeRefused):
        report_pcn(admin, "U20002")
    commissioner = Principal("c", Role.COMMISSIONER, "U10001")
    assert report_pcn(commissioner, None) is None
    assert report_pcn(commissioner, "U20002") == "U20002"
