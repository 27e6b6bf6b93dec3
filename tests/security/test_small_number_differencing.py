"""Finding [medium]: small numbers recovered by differencing overlapping periods (January-March against
January-April). Reports are published for fixed calendar bins only; any other period is refused with 422."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_outcomes.adapters import area_table
from linkwork_outcomes.api import reports
from linkwork_outcomes.domain.period import MonthRange
from linkwork_runtime.principal import Principal, Role
from linkwork_runtime.problems import Problem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("start", "end", "kind"),
    [
        ("2025-02", "2025-02", "month"),
        ("2025-01", "2025-03", "quarter"),
        ("2025-10", "2025-12", "quarter"),
        ("2025-01", "2025-12", "year"),
        ("2025-01", "2025-04", None),  # Jan-Apr minus Jan-Mar would give April's suppressed counts
        ("2025-02", "2025-04", None),  # a three-month window that is not a quarter
        ("2025-04", "2026-03", None),  # a rolling twelve months
        ("2024-01", "2025-12", None),
    ],
)
def test_only_calendar_months_quarters_and_years_are_bins(start: str, end: str, kind: str | None) -> None:
    assert MonthRange.parse(start, end).calendar_bin == kind


def test_the_api_refuses_a_period_that_is_not_a_calendar_bin() -> None:
    commissioner = Principal("c-1", Role.COMMISSIONER, "U00001", icb="QWO")
    areas = area_table.load(area_table.SAMPLE)
    with pytest.raises(Problem) as refused:
        reports._request(commissioner, areas, start="2025-01", end="2025-04")
    assert refused.value.status == 422 and "calendar quarter" in refused.value.detail
    assert reports._request(commissioner, areas, start="2025-01", end="2025-03").months.calendar_bin == "quarter"
    assert reports._request(commissioner, areas).months.calendar_bin == "year"  # the default


def test_the_default_period_is_this_calendar_year() -> None:
    from linkwork_outcomes.domain.period import calendar_year

    year = datetime.now(UTC).year
    assert calendar_year(year).calendar_bin == "year"
