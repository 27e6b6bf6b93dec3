"""`python -m linkwork_referral.entrypoints.deprivation load FILE`: the IMD decile of every LSOA.

FILE is the English Indices of Deprivation CSV published by the Ministry of Housing, Communities and Local
Government (GOV.UK, "English indices of deprivation", Open Government Licence v3.0): File 7, "All IoD scores,
ranks, deciles and population denominators", or any CSV of that release with an "LSOA code (...)" column and an
"Index of Multiple Deprivation (IMD) Decile ..." column. The 2025 release is keyed by 2021 LSOAs, which is what
the ONS Postcode Directory's `lsoa21` gives; the 2019 release is keyed by 2011 LSOAs, most of which kept their
code in 2021. The command writes linkwork's two-column table (`lsoa,imd_decile`) to `--out` (default: the path in
LINKWORK_DEPRIVATION_TABLE), which the referral service reads at start-up to set `imd_decile` on new referrals.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from linkwork_referral.adapters.reference_tables import DeprivationTable
from linkwork_referral.settings import DATA

SAMPLE = DATA / "imd_deciles_sample.csv"
DECILE_COLUMN = "Index of Multiple Deprivation (IMD) Decile"
LSOA = re.compile(r"^[EW]01[0-9]{6}$")


class LayoutError(ValueError):
    """The file lacks the columns of the English Indices of Deprivation."""


def deciles(path: Path) -> Iterator[tuple[str, int]]:
    """(LSOA code, IMD decile) of every row of a published IoD CSV file."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = next(reader, [])
        code = next((i for i, name in enumerate(header) if name.strip().startswith("LSOA code")), None)
        decile = next(
            (
                i
                for i, name in enumerate(header)
                if name.strip().startswith("Index of Multiple Deprivation (IMD) Decile")
            ),
            None,
        )
        if code is None or decile is None:
            raise LayoutError("no 'LSOA code' and 'Index of Multiple Deprivation (IMD) Decile' columns")
        for number, row in enumerate(reader, start=2):
            lsoa, value = row[code].strip().upper(), row[decile].strip()
            if not LSOA.match(lsoa) or not value.isdigit() or not 1 <= int(value) <= 10:
                raise LayoutError(f"line {number}: an LSOA code and a decile 1-10 expected")
            yield lsoa, int(value)


def load(source: Path, out: Path) -> int:
    rows = sorted(deciles(source))
    temporary = out.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as file:
        file.write(
            f"# Index of Multiple Deprivation deciles by LSOA, from {source.name} (English Indices of Deprivation,\n"
        )
        file.write("# Ministry of Housing, Communities and Local Government; Open Government Licence v3.0).\n")
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["lsoa", "imd_decile"])
        writer.writerows(rows)
    DeprivationTable.load(temporary)  # what the service will read must read back
    temporary.replace(out)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linkwork_referral.entrypoints.deprivation", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    load_command = commands.add_parser("load", help="convert a published IoD CSV file into linkwork's table")
    load_command.add_argument("path", type=Path)
    load_command.add_argument("--out", type=Path, default=None, help="default: LINKWORK_DEPRIVATION_TABLE")
    args = parser.parse_args(argv)
    out = args.out
    if out is None:
        from linkwork_referral.settings import Settings

        out = Settings().deprivation_table
    if out is None or out == SAMPLE:
        parser.error("give --out (or LINKWORK_DEPRIVATION_TABLE): the bundled synthetic sample is not overwritten")
    try:
        count = load(args.path, out)
    except (LayoutError, OSError) as error:
        print(f"{args.path.name}: {error}", file=sys.stderr)
        return 1
    print(f"wrote the IMD decile of {count} LSOAs to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
