"""Building a summary report for a period and area: read the lattice, suppress it together, assemble.

A report is one area of the fixed hierarchy for one calendar bin. Every report it could be differenced against
(the other areas of its ICB, the other bins of its year: `domain.lattice`) is built from the same monthly cells
and suppressed together with it (`suppression.suppress_nested`), so the same count is hidden in every report
that could reveal it, whichever report is asked for first. The joint suppression is kept per lattice until one
of its cells changes.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from linkwork_outcomes.domain.areas import Area, AreaHierarchy, Level
from linkwork_outcomes.domain.contribution import Section
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.lattice import Lattice, LatticeRows, report_key
from linkwork_outcomes.domain.period import MonthRange, calendar_year
from linkwork_outcomes.domain.report import Period, Scope, SummaryReport
from linkwork_outcomes.domain.report_assembly import assemble, registered
from linkwork_outcomes.domain.suppression import Table, restricted, suppress, suppress_nested
from linkwork_outcomes.service_layer.ports import ReportStore

# Counts that do not add up across areas or bins take part only in their own report's relations: gaps are
# counted by postcode district, and a district can be served by two PCNs.
NOT_ADDITIVE = ("gap",)


@dataclass(frozen=True, slots=True)
class ReportRequest:
    months: MonthRange
    area: Area


def is_additive(cell: str) -> bool:
    return not cell.startswith(NOT_ADDITIVE)


_CACHE: OrderedDict[tuple[tuple[Area, ...], int, int], dict[str, frozenset[str]]] = OrderedDict()
CACHE_SIZE = 32
_LOCKS: dict[tuple[int, tuple[Area, ...], int], asyncio.Lock] = {}


def joint_hidden(lattice: Lattice, rows: LatticeRows, labels: Mapping[str, ServiceLabel]) -> dict[str, frozenset[str]]:
    """The hidden cells of every report of the lattice, suppressed together (pure; cached by content)."""
    cache_key = (tuple(lattice.areas), lattice.year, rows.fingerprint)
    if (found := _CACHE.get(cache_key)) is not None:
        _CACHE.move_to_end(cache_key)
        return found
    tables: dict[str, Table] = {}
    for key, data in lattice.aggregates(rows.tally, rows.outcomes, labels).items():
        tables[key] = registered(data).book.table().without_zeros()
    additive = frozenset(cell for table in tables.values() for cell in table.cells if is_additive(cell))
    hidden = suppress_nested(tables, lattice.partitions(additive))
    _CACHE[cache_key] = hidden
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return hidden


def _scope(hierarchy: AreaHierarchy, area: Area) -> Scope:
    chain = [area]
    while chain[-1] in hierarchy.parent:
        chain.append(hierarchy.parent[chain[-1]])
    codes = {a.level: a.code for a in chain}
    return Scope(
        pcn=codes.get(Level.PCN),
        practice=codes.get(Level.PRACTICE),
        sub_icb=codes.get(Level.SUB_ICB),
        icb=codes.get(Level.ICB),
        level=str(area.level),
    )


async def summary_report(
    store: ReportStore, request: ReportRequest, hierarchy: AreaHierarchy, now: datetime | None = None
) -> SummaryReport:
    months, area = request.months, request.area
    lattice = Lattice.around(hierarchy, area, months.first.year)
    year = calendar_year(lattice.year)
    async with store.reading() as reading:
        rows = await reading.lattice(lattice.pcns, year.first, year.last)
        planned = sorted({key for _, _, _, section, key, _, _ in rows.tally if section == Section.PLANNED})
        labels = await reading.service_labels(planned)
        pcns = hierarchy.pcns_under(area)
        practice = area.code if area.level is Level.PRACTICE else None
        gaps = await reading.gaps(pcns, practice, months.start, months.end)
    key = report_key(area, months)
    # One computation per lattice at a time: the console asks for a page's dozen reports at once, and every one
    # of them would otherwise compute the same joint suppression on a cold cache.
    lock_key = (id(asyncio.get_running_loop()), tuple(lattice.areas), lattice.year)  # a lock serves one loop
    async with _LOCKS.setdefault(lock_key, asyncio.Lock()):
        hidden = await asyncio.to_thread(joint_hidden, lattice, rows, labels)
    data = dataclasses.replace(lattice.aggregates(rows.tally, rows.outcomes, labels, only=key)[key], gaps=gaps)
    assembly = registered(data)
    # Gap counts relate only within this report (see NOT_ADDITIVE): they are suppressed on their own here.
    gap_cells = frozenset(cell for cell in assembly.book.table().cells if not is_additive(cell))
    own = suppress(restricted(assembly.book.table(), gap_cells))
    return assemble(
        data,
        Period(start=months.label(months.first), end=months.label(months.last)),
        _scope(hierarchy, area),
        now or datetime.now(UTC),
        assembly=assembly,
        hidden=hidden[key] | own,
    )
