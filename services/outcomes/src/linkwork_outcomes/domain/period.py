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

    @property
    def calendar_bin(self) -> str | None:
        """ "month", "quarter" or "year" when the range is exactly one of those calendar bins, else None."""
        if self.first == self.last:
            return "month"
        if self.first.year == self.last.year and self.first.month in (1, 4, 7, 10):
            if self.last.month == self.first.month + 2:
                return "quarter"
            if self.first.month == 1 and self.last.month == 12:
                return "year"
        return None


# Why reports are published for fixed calendar bins only (docs/decisions/15-hardening.md): two overlapping
# periods (January-March against January-April) differ by one month, and their difference reveals counts of
# 1-4 that each report suppresses. Bins that never overlap partially (a quarter holds whole months, a year
# whole quarters) leave only nested totals, which secondary suppression covers.
CALENDAR_BIN_RULE = (
    "a report covers one calendar month (start = end), one calendar quarter (January-March, April-June, "
    "July-September or October-December) or one calendar year (January-December): overlapping periods "
    "would let suppressed small counts be recovered by subtracting one report from another"
)


def calendar_year(year: int) -> MonthRange:
    return MonthRange(date(year, 1, 1), date(year, 12, 1))
