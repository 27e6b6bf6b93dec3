"""A service's waiting list: who is queuing, in what order, and how long a newcomer can expect to wait.

The queue is first come, first served: a person's position is one more than the number of people
still waiting who joined before them (ties broken by entry id, so every reader agrees). People leave
the queue by starting (their first attended session, or the provider saying so) or by leaving it
(declined, withdrawn, removed by the provider).

The estimated wait follows Little's law, W = L / λ: the people ahead divided by the rate at which
people start. The rate is the service's own recent throughput (people started per week over the last
`window_weeks`) once it has at least `min_starts` starts to go on; until then the places the provider
says it takes each week stand in for it. A service with places free this week and nobody queuing has
no wait at all. With neither history nor stated places, the wait is unknown (None), never a guess.
See docs/decisions/17-waiting-lists.md for why this estimator and these defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

WINDOW_WEEKS = 8  # two months: long enough to smooth a holiday week, short enough to follow a change
MIN_STARTS = 3  # fewer starts than this in the window say little about a rate
MAX_WAIT_WEEKS = 104  # longer than this reads as "more than two years"; the contract's bound


class WaitBasis(StrEnum):
    """What an estimate rests on, so the words shown can say so."""

    PLACES_FREE = "places-free"  # places free now and nobody queuing
    OBSERVED = "observed"  # the service's recent throughput
    DECLARED = "declared"  # the places per week the provider states


class EntryStatus(StrEnum):
    WAITING = "waiting"
    STARTED = "started"
    LEFT = "left"


class EntrySource(StrEnum):
    ACTIVITY_REFERRAL = "activity-referral"  # an activity referral sent through linkwork
    PROVIDER = "provider"  # someone the provider added who came another way


@dataclass(frozen=True, slots=True)
class Throughput:
    starts: int  # people who started in the window
    weeks: int  # the window's length

    @property
    def per_week(self) -> float:
        return self.starts / self.weeks if self.weeks else 0.0


NO_STARTS = Throughput(0, WINDOW_WEEKS)


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    weeks: int | None  # whole weeks, rounded up; None when nothing supports an estimate
    basis: WaitBasis | None
    starts_per_week: float | None  # the rate used; None with no basis or with places free


def estimate_wait(
    *,
    ahead: int,
    places_remaining: int | None,
    places_per_week: int | None,
    throughput: Throughput,
    min_starts: int = MIN_STARTS,
) -> WaitEstimate:
    """How many weeks someone joining behind `ahead` people can expect to wait before starting."""
    if ahead == 0 and (places_per_week is None or (places_remaining is not None and places_remaining > 0)):
        return WaitEstimate(0, WaitBasis.PLACES_FREE, None)
    if throughput.starts >= min_starts:
        rate, basis = throughput.per_week, WaitBasis.OBSERVED
    elif places_per_week:
        rate, basis = float(places_per_week), WaitBasis.DECLARED
    else:
        return WaitEstimate(None, None, None)
    # The newcomer starts once everyone ahead of them and they themselves have had a place.
    weeks = math.ceil((ahead + 1) / rate)
    return WaitEstimate(min(weeks, MAX_WAIT_WEEKS), basis, round(rate, 2))
