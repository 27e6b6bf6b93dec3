"""Reporting gaps in provision (service_layer/report_gaps.py) against the in-memory store."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.adapters.metrics import MatchingMetrics
from linkwork_matching.domain.gaps import GapPolicy, GapTally, OpenGap
from linkwork_matching.service_layer.report_gaps import GapReporter
from matching_fakes import FakeGapReportStore
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _gap(district: str, *, unmet: int = 2, last_reported: datetime | None = None) -> OpenGap:
    tally = GapTally(NeedCategory.HOUSING, district, 3, unmet, NOW - timedelta(hours=30), last_reported, 4.5)
    return OpenGap(tally, frozenset({uuid4()}))


async def test_due_gaps_are_reported_once_each_and_the_rest_wait() -> None:
    new, recent, old = (
        _gap("LS6"),
        _gap("LS7", last_reported=NOW - timedelta(hours=2)),
        _gap("LS8", last_reported=NOW - DAY),
    )
    store = FakeGapReportStore([new, recent, old])
    reporter = GapReporter(store, GapPolicy(DAY), clock=lambda: NOW)

    assert await reporter.report_once() == 2

    assert [(m.postcode_district, m.referrals_unmet, m.detected_at) for m in store.outbox] == [
        ("LS6", 2, NOW),
        ("LS8", 2, NOW),
    ]
    assert store.reported == [(new, NOW), (old, NOW)]
    assert store.pruned == [(2 * DAY, NOW)]
    assert await reporter.report_once() == 0  # marked reported: not again


async def test_a_tally_with_nothing_unmet_is_not_reported() -> None:
    store = FakeGapReportStore([_gap("LS6", unmet=0)])

    assert await GapReporter(store, GapPolicy(DAY), clock=lambda: NOW).report_once() == 0
    assert store.outbox == [] and store.reported == []


async def test_a_round_counts_and_logs_what_it_reported(caplog: pytest.LogCaptureFixture) -> None:
    registry = CollectorRegistry()
    store = FakeGapReportStore([_gap("LS6"), _gap("LS7")])
    reporter = GapReporter(store, GapPolicy(DAY), clock=lambda: NOW, metrics=MatchingMetrics(registry))

    with caplog.at_level(logging.INFO, logger="linkwork_matching.service_layer.report_gaps"):
        assert await reporter.next_round() is None  # the next round after the interval
        assert await reporter.next_round() is None  # nothing due: nothing logged

    assert registry.get_sample_value("linkwork_matching_gap_reports_total") == 2
    assert [(r.getMessage(), getattr(r, "reports", None)) for r in caplog.records] == [
        ("reported gaps in provision", 2)
    ]
