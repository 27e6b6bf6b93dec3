"""`python -m linkwork_outcomes.entrypoints.check_areas check FILE`: check an area hierarchy table before use.

The table (`practice,pcn,sub_icb,icb`, one row per GP practice) is read at start-up from
LINKWORK_AREA_HIERARCHY_TABLE; this command reads it the same way and says how many areas of each level it has,
or which row breaks the hierarchy.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from linkwork_outcomes.adapters import area_table
from linkwork_outcomes.domain.areas import HierarchyError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linkwork_outcomes.entrypoints.check_areas", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a table (default: the synthetic sample)")
    check.add_argument("path", type=Path, nargs="?", default=area_table.SAMPLE)
    args = parser.parse_args(argv)
    try:
        hierarchy = area_table.load(args.path)
    except (HierarchyError, OSError) as error:
        print(f"{args.path}: {error}", file=sys.stderr)
        return 1
    areas = {*hierarchy.parent, *hierarchy.parent.values()}
    counts = Counter(str(area.level) for area in areas)
    print(", ".join(f"{counts[level]} {level}" for level in ("practice", "pcn", "sub_icb", "icb")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
