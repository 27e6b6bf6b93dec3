"""The summary report use case against an in-memory report store: a PCN's report with small numbers suppressed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_outcomes.domain.areas import Area, AreaHierarchy, Level, Membership
from linkwork_outcomes.domain.period import MonthRange
from linkwork_outcomes.service_layer import projection
from linkwork_outcomes.service_layer.reports import ReportRequest, summary_report
from outcomes_fakes import FakeProjectionStore, FakeReportStore, referral_facts

pytestmark = pytest.mark.unit

HIERARCHY = AreaHierarchy.of(
    [Membership("B86001", "U12345", "15F", "QWO"), Membership("B86002", "U12346", "15F", "QWO")]
)
APRIL = MonthRange.parse("2025-04", "2025-04")
NOW = datetime(2025, 6, 1, tzinfo=UTC)


async def _cells(*referrals: object) -> FakeReportStore:
    live = FakeProjectionStore()
    for referral in referrals:
        live.add(referral)  # type: ignore[arg-type]
    await projection.project_all(live)
    return FakeReportStore(live.aggregates())


async def test_a_pcn_report_suppresses_a_small_source_and_its_complement() -> None:
    gp = [referral_facts(n) for n in range(12)]
    self_referred = [referral_facts(100 + n, source="self-referral") for n in range(2)]
    other_pcn = [referral_facts(200 + n, pcn="U12346", practice="B86002") for n in range(9)]
    store = await _cells(*gp, *self_referred, *other_pcn)

    report = await summary_report(store, ReportRequest(APRIL, Area(Level.PCN, "U12345")), HIERARCHY, now=NOW)

    assert store.readings == 1  # one snapshot for the whole report
    assert report.scope.pcn == "U12345" and report.scope.icb == "QWO" and report.scope.level == "pcn"
    assert report.referrals.value == 14
    sources = {row.key: row.count for row in report.by_source}
    # 2 self-referrals would be shown as 1-4; the 12 from GP practices would give them away from the total.
    assert sources["self-referral"].suppressed and sources["self-referral"].value is None
    assert sources["gp-practice"].suppressed
    assert report.suppression.suppressed_figures > 0 and report.suppression.smallest_count_shown == 5


async def test_the_icb_report_counts_every_pcn_under_it() -> None:
    store = await _cells(
        *(referral_facts(n) for n in range(6)),
        *(referral_facts(50 + n, pcn="U12346", practice="B86002") for n in range(7)),
    )
    report = await summary_report(store, ReportRequest(APRIL, Area(Level.ICB, "QWO")), HIERARCHY, now=NOW)
    assert report.referrals.value == 13
    sources = {row.key: row.count.value for row in report.by_source}
    assert sources["gp-practice"] == 13 and sum(value or 0 for value in sources.values()) == 13
