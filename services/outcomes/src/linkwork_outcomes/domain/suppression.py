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


def suppress(table: Table) -> frozenset[str]:
    """The ids of every cell that must be hidden (published and implied alike)."""
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
