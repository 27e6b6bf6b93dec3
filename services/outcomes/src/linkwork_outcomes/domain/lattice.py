"""The lattice of reports one report can be differenced against: every area of its ICB times every bin of its year.

Published reports nest along two fixed hierarchies (issue 15): areas (practice within PCN within sub-ICB location
within ICB) and calendar bins (month within quarter within year). A count suppressed in one report could be
recovered from a report that contains it and the reports of its siblings, so every report of the lattice is
suppressed together (`suppression.suppress_nested`). The lattice stops at the ICB (nothing above it is published:
a commissioner sees their own ICB) and at the year (years do not nest in anything published).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from linkwork_outcomes.domain.aggregates import Aggregates
from linkwork_outcomes.domain.areas import Area, AreaHierarchy, Level
from linkwork_outcomes.domain.contribution import ALL
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.period import MonthRange
from linkwork_outcomes.domain.statistics import ChangeSums
from linkwork_outcomes.domain.suppression import Partition

TallyRow = tuple[str, str, date, str, str, str, int]
OutcomeRow = tuple[str, str, date, str, ChangeSums]


@dataclass(frozen=True, slots=True)
class LatticeRows:
    """The monthly cells of some PCNs (level 1) and of their practices (level 2) over a span of months."""

    tally: list[TallyRow]  # pcn, practice ('*' for the PCN), month, cell, n
    outcomes: list[OutcomeRow]  # pcn, practice, month, score, sums

    @property
    def fingerprint(self) -> int:
        """Equal rows give an equal fingerprint: the joint suppression is reused until a cell changes."""
        return hash((tuple(self.tally), tuple(self.outcomes)))


def bin_key(months: MonthRange) -> str:
    first = months.first
    match months.calendar_bin:
        case "month":
            return f"{first.year:04d}-{first.month:02d}"
        case "quarter":
            return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
        case "year":
            return f"{first.year:04d}"
    raise ValueError("not a calendar bin")


def year_bins(year: int) -> list[MonthRange]:
    """The year, its quarters and its months."""
    months = [MonthRange(date(year, m, 1), date(year, m, 1)) for m in range(1, 13)]
    quarters = [MonthRange(date(year, m, 1), date(year, m + 2, 1)) for m in (1, 4, 7, 10)]
    return [MonthRange(date(year, 1, 1), date(year, 12, 1)), *quarters, *months]


def report_key(area: Area, months: MonthRange) -> str:
    return f"{area.key}@{bin_key(months)}"


@dataclass(frozen=True)
class Lattice:
    top: Area
    year: int
    areas: list[Area]
    hierarchy: AreaHierarchy

    @classmethod
    def around(cls, hierarchy: AreaHierarchy, area: Area, year: int) -> Lattice:
        """The lattice of `area` in `year`: its ICB's tree (or its own, for a PCN outside the table)."""
        top = hierarchy.top(area)
        areas = hierarchy.tree(top) if top in hierarchy else [top]
        return cls(top, year, areas, hierarchy)

    @property
    def pcns(self) -> list[str]:
        return sorted({pcn for area in self.areas for pcn in self.hierarchy.pcns_under(area)})

    def reports(self) -> list[tuple[str, Area, MonthRange]]:
        return [(report_key(area, months), area, months) for area in self.areas for months in year_bins(self.year)]

    def partitions(self, additive: frozenset[str]) -> list[Partition]:
        result = []
        bins = year_bins(self.year)
        year, quarters, months = bins[0], bins[1:5], bins[5:]
        for area in self.areas:
            children = [child for child in self.hierarchy.children(area) if child in self.areas]
            for period in bins:
                if children:
                    parts = tuple(report_key(child, period) for child in children)
                    result.append(Partition(report_key(area, period), parts, additive))
            result.append(Partition(report_key(area, year), tuple(report_key(area, q) for q in quarters), additive))
            for index, quarter in enumerate(quarters):
                parts = tuple(report_key(area, m) for m in months[3 * index : 3 * index + 3])
                result.append(Partition(report_key(area, quarter), parts, additive))
        return result

    def aggregates(
        self,
        tally: Iterable[TallyRow],
        outcomes: Iterable[OutcomeRow],
        services: Mapping[str, ServiceLabel],
        only: str | None = None,
    ) -> dict[str, Aggregates]:
        """Every report's sums (or report `only`'s) from the monthly cells of the lattice's PCNs and practices."""
        # The monthly cells of each area: a practice reads its own cells within the PCN the table puts it in
        # (referrals recorded elsewhere are the PCN's remainder); a PCN its own; areas above sum their PCNs.
        owners: dict[tuple[str, str], list[Area]] = defaultdict(list)
        for area in self.areas:
            if area.level is Level.PRACTICE:
                owners[(self.hierarchy.parent[area].code, area.code)].append(area)
            else:
                for pcn in self.hierarchy.pcns_under(area):
                    owners[(pcn, ALL)].append(area)
        monthly: dict[tuple[Area, int], Counter[tuple[str, str, str]]] = defaultdict(Counter)
        monthly_outcomes: dict[tuple[Area, int], dict[str, ChangeSums]] = defaultdict(dict)
        for pcn, practice, month, section, key, subkey, n in tally:
            for area in owners.get((pcn, practice), ()):
                monthly[(area, month.month)][(section, key, subkey)] += n
        for pcn, practice, month, score, sums in outcomes:
            for area in owners.get((pcn, practice), ()):
                cell = monthly_outcomes[(area, month.month)]
                cell[score] = cell.get(score, ChangeSums()) + sums
        result = {}
        for key, area, period in self.reports():
            if only is not None and key != only:
                continue
            counts: Counter[tuple[str, str, str]] = Counter()
            scores: dict[str, ChangeSums] = {}
            for number in range(period.first.month, period.last.month + 1):
                counts.update(monthly.get((area, number), {}))
                for score, sums in monthly_outcomes.get((area, number), {}).items():
                    scores[score] = scores.get(score, ChangeSums()) + sums
            result[key] = Aggregates(
                tally={cell: n for cell, n in counts.items() if n},
                outcomes=scores,
                services=services,
            )
        return result
