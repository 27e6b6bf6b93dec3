"""Reads the area hierarchy table: a CSV `practice,pcn,sub_icb,icb` (lines starting with `#` are comments)."""

from __future__ import annotations

import csv
from pathlib import Path

from linkwork_outcomes.domain.areas import AreaHierarchy, HierarchyError, Membership

COLUMNS = ("practice", "pcn", "sub_icb", "icb")
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "area_hierarchy.csv"


def load(path: Path) -> AreaHierarchy:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(line for line in file if not line.startswith("#"))
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise HierarchyError(f"{path.name}: missing columns {missing}")
        return AreaHierarchy.of(
            Membership(*(row[c].strip().upper() for c in COLUMNS)) for row in reader if any(row.values())
        )
