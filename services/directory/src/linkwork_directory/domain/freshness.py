"""When a service needs its details checked again.

Stale entries are the commonest complaint about community directories, so every service carries
the time a curator last confirmed it. After a review period (six months by default, configurable)
it is flagged "needs review"; a service never verified is due at once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

DEFAULT_REVIEW_MONTHS = 6


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class DueForReview:
    """A line of the review queue."""

    service_id: UUID
    name: str
    organization: str | None
    last_verified_at: datetime | None
    verified_by: str | None


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` calendar months earlier, clamped to the month's last day."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def review_cutoff(now: datetime, review_months: int) -> datetime:
    """Services last verified before this moment need review."""
    return months_before(now, review_months)


def needs_review(last_verified_at: datetime | None, now: datetime, review_months: int) -> bool:
    return last_verified_at is None or last_verified_at < review_cutoff(now, review_months)
