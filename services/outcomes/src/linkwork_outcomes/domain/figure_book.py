"""A ledger of a report's counts and their relations, which hands out only suppressed Figures.

Report assembly first registers every count (published or implied) and every additive relation,
then seals the book, which runs suppression once over the whole report: relations between
sections (the referral total is the total of the source, status and equity tables, and the top
of the funnel) are all in one table, so a count hidden in one section cannot be recovered
through another. Only after sealing can Figures be read.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from math import isfinite

from linkwork_outcomes.domain.report import Figure
from linkwork_outcomes.domain.suppression import Margin, Table, suppress

SUPPRESSED = Figure(value=None, suppressed=True)
NOTHING = Figure(value=None, suppressed=False)


def _shown(value: int | float) -> Figure:
    # The type is part of the key: 1 and 1.0 are equal, but a count must stay an int.
    return _cached(isinstance(value, int), value)


@lru_cache(maxsize=8192)
def _cached(is_count: bool, value: int | float) -> Figure:
    # Figures are immutable, and counts repeat: a national report has thousands, all made here,
    # built without re-validation and shared when equal.
    return Figure.model_construct(value=value, suppressed=False)


class FigureBook:
    def __init__(self) -> None:
        self._cells: dict[str, int] = {}
        self._implied: set[str] = set()
        self._margins: list[Margin] = []
        self._hidden: frozenset[str] | None = None

    def cell(self, cell_id: str, value: int, *, implied: bool = False) -> str:
        if self._hidden is not None:
            raise RuntimeError("the book is sealed")
        if cell_id in self._cells and self._cells[cell_id] != value:
            raise ValueError(f"cell {cell_id} registered twice with different values")
        self._cells[cell_id] = value
        if implied:
            self._implied.add(cell_id)
        return cell_id

    def value(self, cell_id: str) -> int:
        return self._cells[cell_id]

    def margin(self, total: str, parts: Iterable[str]) -> None:
        self._margins.append(Margin(total, tuple(parts)))

    def remainder(self, cell_id: str, total: str, part: str) -> str:
        """Register the implied cell total - part, with the relation that defines it."""
        self.cell(cell_id, self._cells[total] - self._cells[part], implied=True)
        self.margin(total, (part, cell_id))
        return cell_id

    def table(self) -> Table:
        return Table(dict(self._cells), frozenset(self._implied), tuple(self._margins))

    def seal(self, hidden: frozenset[str] | None = None) -> None:
        """Suppress the book on its own, or take `hidden` from a suppression it took part in (nested reports)."""
        self._hidden = suppress(self.table()) if hidden is None else hidden

    @property
    def hidden(self) -> frozenset[str]:
        if self._hidden is None:
            raise RuntimeError("seal the book before reading figures")
        return self._hidden

    def is_hidden(self, cell_id: str) -> bool:
        return cell_id in self.hidden

    @property
    def suppressed_published(self) -> int:
        return len(self.hidden - self._implied)

    def count(self, cell_id: str) -> Figure:
        if cell_id in self._implied:
            raise ValueError(f"{cell_id} is implied, never published")
        if self.is_hidden(cell_id):
            return SUPPRESSED
        return _shown(self._cells[cell_id])

    def rate(self, numerator: str, denominator: str) -> Figure:
        if self.is_hidden(numerator) or self.is_hidden(denominator):
            return SUPPRESSED
        if self._cells[denominator] == 0:
            return NOTHING
        return _shown(self._cells[numerator] / self._cells[denominator])

    def statistic(self, value: float | None, *bases: str) -> Figure:
        """A figure computed from the records behind the `bases` counts."""
        if any(self.is_hidden(base) for base in bases):
            return SUPPRESSED
        if value is None or not isfinite(value):
            return NOTHING
        return _shown(value)
