"""Gaps in provision are found per need and reported in aggregate, not per referral."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.domain.gaps import GapPolicy, GapTally
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Service, Venue

pytestmark = pytest.mark.unit
NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def test_a_need_with_nothing_within_reach_is_a_gap_and_others_are_not(
    service: Callable[..., Service], person: Callable[..., Person], north: Callable[..., Venue]
) -> None:
    index = ServiceIndex()
    index.upsert(service("walk"))
    index.upsert(service("debt-far", needs=frozenset({NeedCategory.DEBT_MONEY_BENEFITS}), venues=(north(30.0),)))
    someone = person(needs=(NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.DEBT_MONEY_BENEFITS, NeedCategory.HOUSING))
    suggestions = Ranker(index).suggest(someone)
    assert suggestions.gaps == (NeedCategory.DEBT_MONEY_BENEFITS, NeedCategory.HOUSING)
    assert [n.eligible_services for n in suggestions.needs] == [1, 0, 0]
    # The debt service would do but is 30 km off; for housing there is nothing at any distance.
    assert [n.nearest_beyond_reach_km for n in suggestions.needs] == [None, pytest.approx(30.0), None]


def tally(unmet: int, last_reported: datetime | None) -> GapTally:
    return GapTally(NeedCategory.HOUSING, "LS6", unmet + 2, unmet, NOW - timedelta(days=9), last_reported, None)


def test_a_new_gap_is_reported_at_the_next_flush_then_at_most_once_a_period() -> None:
    policy = GapPolicy(report_interval=timedelta(hours=24))
    assert policy.due(tally(5, None), NOW)
    assert not policy.due(tally(5, NOW - timedelta(hours=23)), NOW)
    assert policy.due(tally(5, NOW - timedelta(hours=24)), NOW)
    assert not policy.due(tally(0, None), NOW)
