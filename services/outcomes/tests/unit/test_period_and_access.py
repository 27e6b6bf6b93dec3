"""Reporting periods in whole UK months, and who may see which scope."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from linkwork_outcomes.adapters import area_table
from linkwork_outcomes.domain.access import ScopeRefused, UnknownArea, report_area
from linkwork_outcomes.domain.areas import Area, AreaHierarchy, HierarchyError, Level, Membership
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


AREAS = area_table.load(area_table.SAMPLE)


def test_pcn_admins_see_their_own_pcn_and_its_practices() -> None:
    admin = Principal("a", Role.PCN_ADMIN, "U10001")
    assert report_area(admin, AREAS) == Area(Level.PCN, "U10001")
    assert report_area(admin, AREAS, pcn="U10001") == Area(Level.PCN, "U10001")
    assert report_area(admin, AREAS, practice="B86002") == Area(Level.PRACTICE, "B86002")
    for asked in ({"pcn": "U10002"}, {"practice": "C86011"}, {"icb": "QWO"}):
        with pytest.raises(ScopeRefused):
            report_area(admin, AREAS, **asked)


def test_a_commissioner_sees_the_areas_of_their_own_icb_only() -> None:
    commissioner = Principal("c", Role.COMMISSIONER, "U10001", icb="QWO")
    assert report_area(commissioner, AREAS) == Area(Level.ICB, "QWO")
    assert report_area(commissioner, AREAS, pcn="U10002") == Area(Level.PCN, "U10002")
    assert report_area(commissioner, AREAS, sub_icb="36J") == Area(Level.SUB_ICB, "36J")
    assert report_area(commissioner, AREAS, practice="Z99004") == Area(Level.PRACTICE, "Z99004")
    for asked in ({"icb": "QOQ"}, {"pcn": "U10003"}, {"practice": "D86021"}, {"sub_icb": "03F"}):
        with pytest.raises(ScopeRefused):
            report_area(commissioner, AREAS, **asked)
    with pytest.raises(UnknownArea):
        report_area(commissioner, AREAS, pcn="U99999")  # outside the fixed hierarchy: never published
    with pytest.raises(ScopeRefused):
        report_area(Principal("c", Role.COMMISSIONER, "U10001"), AREAS)  # a token without an ICB


def test_the_hierarchy_refuses_a_pcn_under_two_sub_icbs() -> None:
    rows = [Membership("A00001", "U00001", "15F", "QWO"), Membership("A00002", "U00001", "36J", "QWO")]
    with pytest.raises(HierarchyError, match="under two"):
        AreaHierarchy.of(rows)
