"""A commissioner's report scope as the console offers it: one fixed calendar bin and one area of the hierarchy.

Pure: parses and describes the `period` and `area` query values, lists the bins a person can choose, and builds
the query the outcomes service takes. Which areas exist (and which this person may see) is the outcomes service's
answer (`/reports/areas`), never decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PERIOD = re.compile(r"^(?P<year>[0-9]{4})(-(Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")
AREA = re.compile(r"^(?P<level>practice|pcn|sub_icb|icb):(?P<code>[0-9A-Z]{3,6})$")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
LEVEL_WORDS = {"icb": "ICB", "sub_icb": "Sub-ICB location", "pcn": "PCN", "practice": "GP practice"}


class BadScope(ValueError):
    """A period or area value the console never offers."""


@dataclass(frozen=True, order=True)
class Bin:
    year: int
    first: int  # first month, 1-12
    last: int  # last month, inclusive

    @classmethod
    def parse(cls, text: str) -> Bin:
        found = PERIOD.match(text)
        if found is None:
            raise BadScope("period must be a year (YYYY), a quarter (YYYY-Qn) or a month (YYYY-MM)")
        year = int(found["year"])
        if found["quarter"]:
            first = 3 * int(found["quarter"]) - 2
            return cls(year, first, first + 2)
        if found["month"]:
            month = int(found["month"])
            return cls(year, month, month)
        return cls(year, 1, 12)

    @property
    def key(self) -> str:
        if self.first == self.last:
            return f"{self.year:04d}-{self.first:02d}"
        if self.last - self.first == 2:
            return f"{self.year:04d}-Q{(self.first + 2) // 3}"
        return f"{self.year:04d}"

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{MONTHS[self.first - 1]} {self.year}"
        # A quarter or a year alike: its first to its last month ("January to December 2026").
        return f"{MONTHS[self.first - 1]} to {MONTHS[self.last - 1]} {self.year}"

    @property
    def query(self) -> dict[str, str]:
        return {"start": f"{self.year:04d}-{self.first:02d}", "end": f"{self.year:04d}-{self.last:02d}"}

    def months(self, today: date) -> list[Bin]:
        """The months of this bin's year up to `today`'s month: the trend's x axis."""
        last = 12 if self.year < today.year else today.month
        return [Bin(self.year, m, m) for m in range(1, last + 1)]


def choices(today: date, years: int = 2) -> list[tuple[str, list[Bin]]]:
    """The bins offered, newest year first: each year, its quarters and its months that have begun."""
    groups = []
    for year in range(today.year, today.year - years, -1):
        last = 12 if year < today.year else today.month
        bins = [Bin(year, 1, 12)]
        bins += [Bin(year, q, q + 2) for q in (1, 4, 7, 10) if q <= last]
        bins += [Bin(year, m, m) for m in range(1, last + 1)]
        groups.append((str(year), bins))
    return groups


@dataclass(frozen=True)
class AreaChoice:
    level: str
    code: str
    parent: str | None

    @property
    def key(self) -> str:
        return f"{self.level}:{self.code}"

    @property
    def label(self) -> str:
        return f"{LEVEL_WORDS[self.level]} {self.code}"

    @property
    def query(self) -> dict[str, str]:
        return {self.level: self.code}


def parse_area(text: str) -> tuple[str, str]:
    found = AREA.match(text)
    if found is None:
        raise BadScope("area must be a level (icb, sub_icb, pcn or practice) and an ODS code")
    return found["level"], found["code"]


def areas_of(answer: dict[str, list[dict[str, str | None]]]) -> list[AreaChoice]:
    """The outcomes service's `/reports/areas` answer, widest first (ICB, sub-ICB locations, PCNs, practices)."""
    order = {"icb": 0, "sub_icb": 1, "pcn": 2, "practice": 3}
    rows = [AreaChoice(str(a["level"]), str(a["code"]), a.get("parent")) for a in answer["areas"]]
    return sorted(rows, key=lambda a: (order.get(a.level, 9), a.code))


def children(areas: list[AreaChoice], area: AreaChoice) -> list[AreaChoice]:
    """What the comparison compares: the PCNs of an ICB or sub-ICB location, the practices of a PCN."""
    if area.level == "practice":
        return []
    if area.level == "pcn":
        return [a for a in areas if a.level == "practice" and a.parent == area.code]
    below = {area.code}
    found = []
    for level in ("sub_icb", "pcn"):
        layer = [a for a in areas if a.level == level and a.parent in below]
        below |= {a.code for a in layer}
        if level == "pcn":
            found = layer
    return found
