"""The fixed area hierarchy reports are published for: GP practice -> PCN -> sub-ICB location -> ICB.

Reports are published only for areas of this one hierarchy (issue 15: nested areas of one fixed hierarchy can
be suppressed together; ad hoc groupings could be differenced against each other), and a commissioner sees
only the areas of their own ICB (issue 18). The table is reference data (`adapters/area_table.py` reads it);
this module is the pure hierarchy.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

ODS_PATTERNS = {
    "practice": r"^[A-Z][0-9]{5}$",
    "pcn": r"^U[0-9]{5}$",
    "sub_icb": r"^[0-9A-Z]{3}$",
    "icb": r"^Q[A-Z0-9]{2}$",
}


class Level(StrEnum):
    PRACTICE = "practice"
    PCN = "pcn"
    SUB_ICB = "sub_icb"
    ICB = "icb"


LEVEL_LABELS = {Level.PRACTICE: "GP practice", Level.PCN: "PCN", Level.SUB_ICB: "Sub-ICB location", Level.ICB: "ICB"}


@dataclass(frozen=True, slots=True, order=True)
class Area:
    level: Level
    code: str

    @property
    def key(self) -> str:
        return f"{self.level}:{self.code}"


@dataclass(frozen=True, slots=True)
class Membership:
    """One row of the table: a practice and the areas above it."""

    practice: str
    pcn: str
    sub_icb: str
    icb: str


class HierarchyError(ValueError):
    """The table is not one hierarchy (a PCN under two sub-ICBs, a malformed code)."""


@dataclass(frozen=True)
class AreaHierarchy:
    parent: Mapping[Area, Area] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[Membership]) -> AreaHierarchy:
        parent: dict[Area, Area] = {}
        for number, row in enumerate(rows, start=1):
            codes = {"practice": row.practice, "pcn": row.pcn, "sub_icb": row.sub_icb, "icb": row.icb}
            for name, code in codes.items():
                if not re.match(ODS_PATTERNS[name], code):
                    raise HierarchyError(f"row {number}: {name} is not an ODS code of that kind")
            chain = [
                Area(Level.PRACTICE, row.practice),
                Area(Level.PCN, row.pcn),
                Area(Level.SUB_ICB, row.sub_icb),
                Area(Level.ICB, row.icb),
            ]
            for child, above in itertools.pairwise(chain):
                known = parent.setdefault(child, above)
                if known != above:
                    raise HierarchyError(f"row {number}: {child.level} {child.code} is under two {above.level}s")
        return cls(parent)

    def __contains__(self, area: object) -> bool:
        return area in self.parent or area in self.parent.values()

    def top(self, area: Area) -> Area:
        while area in self.parent:
            area = self.parent[area]
        return area

    def icb_of(self, area: Area) -> str | None:
        top = self.top(area)
        return top.code if top.level is Level.ICB and area in self else None

    def tree(self, top: Area) -> list[Area]:
        """`top` and every area under it, in a fixed order (the joint suppression's order)."""
        return sorted(area for area in {*self.parent, *self.parent.values()} if self.top(area) == top or area == top)

    def children(self, area: Area) -> list[Area]:
        return sorted(child for child, above in self.parent.items() if above == area)

    def pcns_under(self, area: Area) -> list[str]:
        if area.level is Level.PRACTICE:
            return [self.parent[area].code]
        if area.level is Level.PCN:
            return [area.code]
        return [pcn for child in self.children(area) for pcn in self.pcns_under(child)]

    def areas(self, level: Level, within: Area) -> list[Area]:
        """The areas of one level inside `within` (the console's area selector)."""
        return [area for area in self.tree(within) if area.level is level]
