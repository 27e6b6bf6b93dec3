"""The review queue's rules against an in-memory store: which services are due, in what order, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linkwork_directory.service_layer.freshness import count_due, review_queue

from ..directory_fakes import FakeReviewStore, ReviewedService

pytestmark = pytest.mark.unit

NOW = datetime(2026, 8, 31, 9, 30, tzinfo=UTC)


async def test_due_after_the_review_period_never_verified_first() -> None:
    fresh = ReviewedService("Walking group", NOW - timedelta(days=150), verified_by="curator-1")
    stale = ReviewedService("Men's shed", NOW - timedelta(days=200), verified_by="curator-1")
    never = ReviewedService("Tai chi", None)
    store = FakeReviewStore(fresh, stale, never)

    due, total = await review_queue(store, now=NOW, months=6, limit=10, offset=0)

    assert [d.name for d in due] == ["Tai chi", "Men's shed"]
    assert total == 2
    assert due[1].verified_by == "curator-1"


async def test_the_period_is_calendar_months_clamped_to_the_month_end() -> None:
    # Six months before 31 August is 28 February (no 31st): verified exactly then is not yet due.
    cutoff = datetime(2026, 2, 28, 9, 30, tzinfo=UTC)
    on_time = ReviewedService("On the cutoff", cutoff)
    just_before = ReviewedService("Just before", cutoff - timedelta(seconds=1))
    store = FakeReviewStore(on_time, just_before)

    due, _ = await review_queue(store, now=NOW, months=6, limit=10, offset=0)

    assert [d.name for d in due] == ["Just before"]


async def test_withdrawn_services_are_never_due() -> None:
    store = FakeReviewStore(ReviewedService("Closed café", None, withdrawn=True))

    assert await review_queue(store, now=NOW, months=6, limit=10, offset=0) == ([], 0)
    assert await count_due(store, now=NOW, months=6) == 0


async def test_pages_share_one_total_and_the_gauge_count_agrees() -> None:
    store = FakeReviewStore(*(ReviewedService(f"Group {n}", NOW - timedelta(days=400 + n)) for n in range(5)))

    first, total = await review_queue(store, now=NOW, months=12, limit=2, offset=0)
    last, last_total = await review_queue(store, now=NOW, months=12, limit=2, offset=4)

    assert [d.name for d in first] == ["Group 4", "Group 3"]  # least recently verified first
    assert [d.name for d in last] == ["Group 0"]
    assert total == last_total == await count_due(store, now=NOW, months=12) == 5
