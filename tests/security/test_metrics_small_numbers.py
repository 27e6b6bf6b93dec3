"""Finding [medium]: `/metrics` served per-PCN business gauges unsuppressed and unauthenticated. The reports'
small-number rule now applies there too: a per-PCN count of 1-4 is published as NaN."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from linkwork_outcomes.adapters.business_figures import BusinessFigures
from linkwork_outcomes.adapters.metrics import BusinessCollector
from prometheus_client import CollectorRegistry, generate_latest

pytestmark = pytest.mark.unit


def test_per_pcn_counts_of_one_to_four_are_not_published() -> None:
    figures = BusinessFigures.__new__(BusinessFigures)
    values = {
        "open_referrals": {("U00001", "contacted"): 3, ("U00001", "plan-agreed"): 12, ("U00002", "contacted"): 0},
        "referrals_by_source": {"gp-practice": 2},
        "plans_agreed": 2,
        "follow_ups_overdue": {"U00001": 1, "U00002": 40},
        "services": {"active": 3},
        "stale_services": 0,
        "never_verified_services": 0,
        "last_event_time": {"referral-created": datetime.now(UTC)},
        "projection_backlog": 0,
    }
    for name, value in values.items():
        object.__setattr__(figures, name, value)
    collector = BusinessCollector("")
    collector.figures = figures
    registry = CollectorRegistry()
    registry.register(collector)
    samples = {
        (metric.name, tuple(sorted(sample.labels.items()))): sample.value
        for metric in registry.collect()
        for sample in metric.samples
    }
    open_referrals = "linkwork_outcomes_open_referrals"
    assert math.isnan(samples[(open_referrals, (("pcn", "U00001"), ("status", "contacted")))])
    assert samples[(open_referrals, (("pcn", "U00001"), ("status", "plan-agreed")))] == 12
    assert samples[(open_referrals, (("pcn", "U00002"), ("status", "contacted")))] == 0  # zero is shown
    assert math.isnan(samples[("linkwork_outcomes_follow_ups_overdue", (("pcn", "U00001"),))])
    assert samples[("linkwork_outcomes_follow_ups_overdue", (("pcn", "U00002"),))] == 40
    assert b"NaN" in generate_latest(registry)
