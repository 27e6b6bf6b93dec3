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


def capacity_status(places_per_week: int | None, taken_this_week: int, waiting_list: bool) -> CapacityStatus:
    if waiting_list:
        return CapacityStatus.WAITLIST
    remaining = places_remaining(places_per_week, taken_this_week)
    if remaining == 0:
        return CapacityStatus.NO_CAPACITY
    return CapacityStatus.CAPACITY
