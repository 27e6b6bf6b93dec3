"""Small-number suppression: primary (counts 1-4) and secondary (nothing derivable from totals).

A report is described as counts ("cells") and the additive relations between them ("margins":
a total equals the sum of its parts). Some cells are published; others are only implied, such
as "referrals not contacted" (= referred - contacted), which nobody prints but anyone can work
out by subtraction. Implied cells take part in the rules exactly like published ones, because
subtraction is exactly how a hidden small number leaks.

Primary suppression hides every cell, published or implied, whose value is 1 to 4.
Secondary suppression then repeats until nothing changes: in any margin where exactly one
member is hidden, that member could be computed from the others, so one more member is hidden.
The complement chosen is the smallest non-zero member (least information lost; a zero is a
weak complement because zeros are often known structurally), preferring implied cells, which
cost nothing to hide, then published ones; a zero is taken only when nothing else is left.
Hiding a cell can leave another margin with a single hidden member, hence the repetition; it
ends because each step hides one more cell of a finite set.

Zero is shown: a count of none identifies nobody.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SMALLEST_SHOWN = 5
RULE = (
    "Counts from 1 to 4 are suppressed (primary suppression). Where a suppressed count could be "
    "worked out from a total and the other counts that make it up, further counts are suppressed "
    "(secondary suppression), choosing the smallest non-zero count. Rates, means, medians and "
    "intervals built on a suppressed count are suppressed too. Zero is shown. Suppressed figures "
    "appear as null in JSON, empty in CSV and as * on the report page."
)


def is_small(value: int) -> bool:
    return 0 < value < SMALLEST_SHOWN


@dataclass(frozen=True, slots=True)
class Margin:
    """`total` equals the sum of `parts` (all cell ids)."""

    total: str
    parts: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True, slots=True)
class Table:
    """Cells (published and implied) and the margins that tie them together."""

    cells: Mapping[str, int]
    implied: frozenset[str]
    margins: tuple[Margin, ...]

    def without_zeros(self) -> Table:
        """The same table without its zero cells, which changes nothing suppression decides, only its cost.

        A zero is never hidden: primary suppression hides 1 to 4, and a complement is a zero only when every other
        shown member of the relation is zero, which cannot happen while exactly one member is hidden and that
        member is not zero (the relation would make it zero too). So zeros, and relations left with one member,
        can go; a relation with no members left said 0 = 0. Reports of small areas and single months are mostly
        zeros (every equity group and status is registered), which is what makes nested suppression affordable.
        """
        cells = {cell: value for cell, value in self.cells.items() if value}
        margins = []
        for margin in self.margins:
            if not self.cells[margin.total] and not any(self.cells[p] for p in margin.parts):
                continue
            parts = tuple(p for p in margin.parts if self.cells[p])
            margins.append(Margin(margin.total, parts))
        return Table(cells, self.implied & cells.keys(), tuple(margins))

    def check(self) -> None:
        """Every margin must name known cells and add up; a wrong margin would protect nothing."""
        for margin in self.margins:
            unknown = [m for m in margin.members if m not in self.cells]
            if unknown:
                raise ValueError(f"margin {margin.total} names unknown cells: {unknown}")
            parts = sum(self.cells[p] for p in margin.parts)
            if parts != self.cells[margin.total]:
                raise ValueError(f"margin {margin.total} = {self.cells[margin.total]} but its parts sum to {parts}")
        unknown_implied = self.implied - self.cells.keys()
        if unknown_implied:
            raise ValueError(f"implied cells not in the table: {sorted(unknown_implied)}")


def _complement(table: Table, candidates: Iterable[str]) -> str:
    def preference(cell: str) -> tuple[bool, bool, int, str]:
        value = table.cells[cell]
        return (value == 0, cell not in table.implied, value, cell)

    return min(candidates, key=preference)


def suppress(table: Table, *, checked: bool = False) -> frozenset[str]:
    """The ids of every cell that must be hidden (published and implied alike).

    `checked`: the caller built the table from checked parts (`suppress_nested`), so the check is not repeated.
    """
    if not checked:
        table.check()
    hidden = {cell for cell, value in table.cells.items() if is_small(value)}
    margins_of: dict[str, list[int]] = {}
    for index, margin in enumerate(table.margins):
        for member in margin.members:
            margins_of.setdefault(member, []).append(index)
    # A worklist of margins to re-examine: all of them once, then those of each newly hidden cell.
    pending = deque(range(len(table.margins)))
    queued = set(pending)
    while pending:
        index = pending.popleft()
        queued.discard(index)
        members = table.margins[index].members
        hidden_here = [m for m in members if m in hidden]
        shown = [m for m in members if m not in hidden]
        if len(hidden_here) != 1 or not shown:
            continue
        complement = _complement(table, shown)
        hidden.add(complement)
        for other in margins_of[complement]:
            if other not in queued:
                pending.append(other)
                queued.add(other)
    return frozenset(hidden)


# Nested reports (issue 15). Reports are published for a fixed hierarchy of scopes: practice within PCN within
# ICB within England, and month within quarter within year. A parent report's count is then the sum of the
# same count in its child reports (plus whatever the children do not cover), so a count hidden in one practice's
# report could be recovered as "the PCN's count minus the other practices' counts". Suppressing each report on
# its own cannot see that; so every report of the hierarchy is suppressed together, as one table.

SEPARATOR = "\x1f"  # between a report key and a cell id in the joint table; never part of either


@dataclass(frozen=True, slots=True)
class Partition:
    """Report `whole` covers what reports `parts` cover between them, and possibly more.

    For example a PCN and its practices, or a quarter and its three months. What the whole holds beyond its
    parts (referrals with no practice, say) is an unpublished remainder, which takes part as implied cells.
    """

    whole: str
    parts: tuple[str, ...]
    # The counts that add up across the parts; None for all. A count of distinct things (people, services)
    # or of things shared between parts (a postcode district served by two PCNs) does not, and is left out.
    additive: frozenset[str] | None = None


def _joint(report: str, cell: str) -> str:
    return f"{report}{SEPARATOR}{cell}"


def restricted(table: Table, cells: frozenset[str] | None) -> Table:
    """The table's additive counts, with the margins among them alone."""
    if cells is None:
        return table
    margins = tuple(m for m in table.margins if all(member in cells for member in m.members))
    return Table({c: v for c, v in table.cells.items() if c in cells}, table.implied & cells, margins)


def suppress_nested(reports: Mapping[str, Table], partitions: Iterable[Partition]) -> dict[str, frozenset[str]]:
    """The hidden cells of every report, suppressed together so that no report can be differenced against others.

    One joint table holds every report's cells (keyed by report) and its own margins; for each partition and
    each cell id of the whole, one more margin says the whole's cell is the sum of its parts' cells and an
    implied remainder. The remainder is a report of its own (all implied, with the whole's margins, which it
    satisfies by linearity), left out when every remainder cell is zero: a remainder known to be zero hides
    nothing, so it must not count as a complement. `suppress` then runs once over the joint table.
    """
    cells: dict[str, int] = {}
    implied: set[str] = set()
    margins: list[Margin] = []

    def add(report: str, table: Table, *, all_implied: bool) -> None:
        for cell, value in table.cells.items():
            cells[_joint(report, cell)] = value
            if all_implied or cell in table.implied:
                implied.add(_joint(report, cell))
        for margin in table.margins:
            margins.append(Margin(_joint(report, margin.total), tuple(_joint(report, p) for p in margin.parts)))

    restricted_tables: dict[tuple[str, frozenset[str] | None], Table] = {}

    def additive_part(report: str, cells: frozenset[str] | None) -> Table:
        # A report is a whole or a part of several partitions (areas and periods) with the same additive cells.
        key = (report, cells)
        if key not in restricted_tables:
            restricted_tables[key] = restricted(reports[report], cells)
        return restricted_tables[key]

    for report, table in reports.items():
        if SEPARATOR in report or any(SEPARATOR in cell for cell in table.cells):
            raise ValueError(f"report keys and cell ids may not contain {SEPARATOR!r}")
        table.check()
        add(report, table, all_implied=False)
    for index, partition in enumerate(partitions):
        whole = additive_part(partition.whole, partition.additive)
        parts = [additive_part(part, partition.additive) for part in partition.parts]
        # A count a part does not carry is zero there (no row for it), which keeps the remainder linear.
        rest = {cell: value - sum(part.cells.get(cell, 0) for part in parts) for cell, value in whole.cells.items()}
        negative = sorted(cell for cell, value in rest.items() if value < 0)
        if negative:
            raise ValueError(f"the parts of {partition.whole} count more than it does: {negative}")
        remainder = f"{partition.whole}{SEPARATOR}rest-{index}"
        if any(rest.values()):
            add(remainder, Table(rest, frozenset(rest), whole.margins), all_implied=True)
        for cell in whole.cells:
            members = [
                _joint(name, cell) for name, part in zip(partition.parts, parts, strict=True) if cell in part.cells
            ]
            if any(rest.values()):
                members.append(_joint(remainder, cell))
            margins.append(Margin(_joint(partition.whole, cell), tuple(members)))
    # Each report was checked above, and every partition margin adds up by construction of its remainder.
    hidden = suppress(Table(cells, frozenset(implied), tuple(margins)), checked=True)
    by_report: dict[str, set[str]] = {report: set() for report in reports}
    for joint in hidden:
        report, cell = joint.rsplit(SEPARATOR, 1)
        if report in by_report:
            by_report[report].add(cell)
    return {report: frozenset(found) for report, found in by_report.items()}


def area_partitions(parent_of: Mapping[str, str]) -> tuple[Partition, ...]:
    """The partitions of a fixed area hierarchy given as child -> parent (practice -> PCN -> ICB -> England)."""
    children: dict[str, list[str]] = {}
    for child, parent in parent_of.items():
        children.setdefault(parent, []).append(child)
    return tuple(Partition(parent, tuple(sorted(kids))) for parent, kids in sorted(children.items()))
