"""Reporting periods: whole calendar months, UK time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from linkwork_outcomes.domain.referral_summary import REPORTING_ZONE

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
MAX_MONTHS = 120


def parse_month(text: str) -> date:
    if not re.match(MONTH_PATTERN, text):
        raise ValueError(f"{text!r} is not a month written YYYY-MM")
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_back(month: date, count: int) -> date:
    """The month `count` months before `month`."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class MonthRange:
    first: date
    last: date  # inclusive

    @classmethod
    def parse(cls, start: str, end: str) -> MonthRange:
        first, last = parse_month(start), parse_month(end)
        if last < first:
            raise ValueError(f"the period ends ({end}) before it starts ({start})")
        span = (last.year - first.year) * 12 + last.month - first.month + 1
        if span > MAX_MONTHS:
            raise ValueError(f"a report covers at most {MAX_MONTHS} months, this asks for {span}")
        return cls(first, last)

    @classmethod
    def ending(cls, last: date, months: int) -> MonthRange:
        return cls(months_back(last, months - 1), last)

    @property
    def start(self) -> datetime:
        """The first instant of the period, UK time."""
        return datetime(self.first.year, self.first.month, 1, tzinfo=REPORTING_ZONE)

    @property
    def end(self) -> datetime:
        """The first instant after the period, UK time."""
        after = next_month(self.last)
        return datetime(after.year, after.month, 1, tzinfo=REPORTING_ZONE)

    def label(self, month: date) -> str:
        return f"{month.year:04d}-{month.month:02d}"
