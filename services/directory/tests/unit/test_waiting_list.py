"""The waiting-time estimator (issue 17): Little's law over recent throughput, declared places as fallback."""

from __future__ import annotations

import pytest
from linkwork_directory.domain.waiting_list import (
    MAX_WAIT_WEEKS,
    Throughput,
    WaitBasis,
    WaitEstimate,
    estimate_wait,
)

pytestmark = pytest.mark.unit

NO_HISTORY = Throughput(0, 8)


def test_places_free_and_nobody_queuing_means_no_wait() -> None:
    assert estimate_wait(ahead=0, places_remaining=3, places_per_week=5, throughput=NO_HISTORY) == WaitEstimate(
        0, WaitBasis.PLACES_FREE, None
    )
    # No limit stated and nobody queuing: start now.
    assert estimate_wait(ahead=0, places_remaining=None, places_per_week=None, throughput=NO_HISTORY).weeks == 0


def test_observed_throughput_wins_once_there_is_enough_of_it() -> None:
    # 16 people started over 8 weeks: 2 a week. 5 ahead plus the newcomer: 6 / 2 = 3 weeks.
    estimate = estimate_wait(ahead=5, places_remaining=0, places_per_week=10, throughput=Throughput(16, 8))
    assert estimate == WaitEstimate(3, WaitBasis.OBSERVED, 2.0)


def test_declared_places_stand_in_until_there_is_history() -> None:
    # Two starts are too few to trust: 4 places a week, 9 ahead -> 10 / 4 -> 3 weeks (rounded up).
    estimate = estimate_wait(ahead=9, places_remaining=0, places_per_week=4, throughput=Throughput(2, 8))
    assert estimate == WaitEstimate(3, WaitBasis.DECLARED, 4.0)


def test_a_full_week_with_nobody_queuing_is_a_week_away() -> None:
    assert estimate_wait(ahead=0, places_remaining=0, places_per_week=6, throughput=NO_HISTORY).weeks == 1


def test_unknown_when_nothing_supports_an_estimate() -> None:
    assert estimate_wait(ahead=4, places_remaining=None, places_per_week=None, throughput=Throughput(1, 8)) == (
        WaitEstimate(None, None, None)
    )
    assert estimate_wait(ahead=4, places_remaining=0, places_per_week=0, throughput=NO_HISTORY).weeks is None


def test_slow_services_are_capped() -> None:
    # 3 starts in 8 weeks with 200 ahead: 536 weeks, shown as the cap.
    assert estimate_wait(ahead=200, places_remaining=0, places_per_week=1, throughput=Throughput(3, 8)).weeks == (
        MAX_WAIT_WEEKS
    )
