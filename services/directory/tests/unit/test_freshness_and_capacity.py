from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from linkwork_contracts.codes import CapacityStatus
from linkwork_directory.domain.capacity import capacity_status, places_remaining, week_starting
from linkwork_directory.domain.freshness import months_before, needs_review

pytestmark = pytest.mark.unit
NOW = datetime(2025, 8, 31, 12, 0, tzinfo=UTC)


def test_months_before_clamps_to_the_end_of_shorter_months() -> None:
    assert months_before(NOW, 6) == datetime(2025, 2, 28, 12, 0, tzinfo=UTC)
    assert months_before(datetime(2025, 3, 15, tzinfo=UTC), 3) == datetime(2024, 12, 15, tzinfo=UTC)


def test_a_service_is_due_for_review_after_the_period_and_when_never_verified() -> None:
    assert needs_review(None, NOW, 6)
    assert needs_review(datetime(2025, 2, 27, 23, 59, tzinfo=UTC), NOW, 6)
    assert not needs_review(datetime(2025, 2, 28, 12, 0, tzinfo=UTC), NOW, 6)
    assert not needs_review(datetime(2025, 8, 1, tzinfo=UTC), NOW, 1)
    assert needs_review(datetime(2025, 7, 30, tzinfo=UTC), NOW, 1)


def test_weeks_start_on_monday() -> None:
    assert week_starting(date(2025, 6, 1)) == date(2025, 5, 26)  # a Sunday
    assert week_starting(datetime(2025, 6, 2, 23, 0, tzinfo=UTC)) == date(2025, 6, 2)


def test_places_and_capacity_code() -> None:
    assert places_remaining(None, 40) is None
    assert places_remaining(10, 3) == 7
    assert places_remaining(10, 12) == 0
    assert capacity_status(None, 99, waiting_list=False) is CapacityStatus.CAPACITY
    assert capacity_status(10, 10, waiting_list=False) is CapacityStatus.NO_CAPACITY
    assert capacity_status(10, 2, waiting_list=True) is CapacityStatus.CAPACITY  # places free, nobody queuing
    assert capacity_status(10, 10, waiting_list=True) is CapacityStatus.WAITLIST
    assert capacity_status(10, 2, waiting_list=True, waiting=1) is CapacityStatus.WAITLIST
    assert capacity_status(None, 0, waiting_list=True) is CapacityStatus.WAITLIST  # no numbers: taken at its word
