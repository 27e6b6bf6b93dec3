"""Places per week, what has been taken up this week, and the capacity code matching reads.

Uptake is counted from `plan-agreed` events: each agreed plan that includes a service takes one of
its weekly places in the week the plan was agreed (weeks start on Monday, as rotas do).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from linkwork_contracts.codes import CapacityStatus


def week_starting(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def places_remaining(places_per_week: int | None, taken_this_week: int) -> int | None:
    """Places still free this week; None when the service sets no limit."""
    if places_per_week is None:
        return None
    return max(places_per_week - taken_this_week, 0)


def capacity_status(
    places_per_week: int | None, taken_this_week: int, waiting_list: bool, *, waiting: int = 0
) -> CapacityStatus:
    """Whether a newcomer can start now, must queue, or cannot get in (issue 17).

    `waiting_list` says the service keeps a waiting list when it is full. Someone joining waits when
    people are already queuing or this week's places are gone; a service that states a waiting list
    but no places per week is taken at its word. Full with no waiting list: no capacity.
    """
    remaining = places_remaining(places_per_week, taken_this_week)
    if waiting > 0 or (waiting_list and remaining in (0, None)):
        return CapacityStatus.WAITLIST
    if remaining == 0:
        return CapacityStatus.NO_CAPACITY
    return CapacityStatus.CAPACITY
