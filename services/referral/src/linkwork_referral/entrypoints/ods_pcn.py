"""Build the practice-to-PCN table from NHS ODS's practice-to-PCN membership file.

NHS England's Organisation Data Service (ODS) publishes monthly, as a spreadsheet (ePCN), every PCN and its
core partner practices ("RE8 - is partner to" relationships), with the start and end date of each practice's
membership. Save its core-partner sheet as CSV and run:

    python -m linkwork_referral.entrypoints.ods_pcn epcn-core-partners.csv -o practice_pcns.csv [--on 2026-12-07]

then point LINKWORK_PRACTICE_PCN_TABLE at the output. Columns are found by name, ignoring case, spaces and
punctuation: the practice code ("Partner Organisation Code", or "Practice Code"), the PCN code ("PCN Code")
and, if present, the membership end date ("Practice to PCN Relationship End Date"): a membership that ended
on or before `--on` is left out. Check the column names against the current ODS file specification when a
new format is published: the loader names any column it cannot find.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

_PRACTICE_COLUMNS = ("partnerorganisationcode", "practicecode", "partnercode")
_PCN_COLUMNS = ("pcncode",)
_END_COLUMNS = ("practicetopcnrelationshipenddate", "relationshipenddate", "enddate")
_PRACTICE = re.compile(r"^[A-Z][0-9A-Z]{5}$")  # GP practice (prescribing cost centre) codes, e.g. B86001
_PCN = re.compile(r"^U[0-9]{5}$")  # PCN codes: U and five digits
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")


class OdsFileError(ValueError):
    """The file is not the ODS practice-to-PCN file (a column is missing)."""


@dataclass
class Membership:
    table: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # why rows were left out, by line number


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _column(header: list[str], names: tuple[str, ...], what: str, *, required: bool = True) -> int | None:
    keys = [_key(h) for h in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    if required:
        raise OdsFileError(f"no {what} column (looked for {', '.join(names)}; found: {', '.join(header)})")
    return None


def _date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def practice_memberships(rows: Iterable[list[str]], on: date) -> Membership:
    """Current practice -> PCN memberships on `on` from the rows of the ODS file (header first)."""
    iterator = iter(rows)
    header = next(iterator, None)
    if not header:
        raise OdsFileError("the file is empty")
    practice_at = _column(header, _PRACTICE_COLUMNS, "practice code")
    pcn_at = _column(header, _PCN_COLUMNS, "PCN code")
    end_at = _column(header, _END_COLUMNS, "membership end date", required=False)
    assert practice_at is not None and pcn_at is not None
    result = Membership()
    for line, row in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in row):
            continue
        practice = row[practice_at].strip().upper() if practice_at < len(row) else ""
        pcn = row[pcn_at].strip().upper() if pcn_at < len(row) else ""
        if not _PRACTICE.match(practice) or not _PCN.match(pcn):
            result.skipped.append(f"line {line}: practice or PCN code malformed")
            continue
        try:
            ended = _date(row[end_at]) if end_at is not None and end_at < len(row) else None
        except ValueError as error:
            result.skipped.append(f"line {line}: {error}")
            continue
        if ended is not None and ended <= on:
            continue  # a past membership: the practice has moved PCN or closed
        if (earlier := result.table.get(practice)) is not None and earlier != pcn:
            result.skipped.append(f"line {line}: practice {practice} is in both {earlier} and {pcn}; kept {earlier}")
            continue
        result.table[practice] = pcn
    return result


def write_table(table: dict[str, str], path: Path, source: str, on: date) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        file.write(
            f"# Practice to PCN membership on {on.isoformat()}, from NHS ODS's PCN core partner file ({source}).\n"
            "# Contains public sector information licensed under the Open Government Licence v3.0.\n"
        )
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["practice_ods_code", "pcn_code"])
        writer.writerows(sorted(table.items()))


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linkwork_referral.entrypoints.ods_pcn", description=__doc__.splitlines()[0]
    )
    parser.add_argument("source", type=Path, help="the ODS core-partner sheet saved as CSV")
    parser.add_argument("-o", "--output", type=Path, required=True, help="where to write practice_ods_code,pcn_code")
    parser.add_argument("--on", type=date.fromisoformat, default=date.today(), help="membership date (default today)")
    options = parser.parse_args(arguments)
    with options.source.open(newline="", encoding="utf-8-sig") as file:
        try:
            membership = practice_memberships(csv.reader(file), options.on)
        except OdsFileError as error:
            print(f"{options.source}: {error}", file=sys.stderr)
            return 2
    write_table(membership.table, options.output, options.source.name, options.on)
    for reason in membership.skipped[:50]:
        print(f"{options.source}: skipped {reason}", file=sys.stderr)
    print(f"wrote {len(membership.table)} practices to {options.output} ({len(membership.skipped)} rows skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
