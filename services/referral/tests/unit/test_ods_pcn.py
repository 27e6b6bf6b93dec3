"""The loader for NHS ODS's practice-to-PCN membership file."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from linkwork_referral.adapters.reference_tables import PracticeDirectory
from linkwork_referral.entrypoints.ods_pcn import OdsFileError, main, practice_memberships

pytestmark = pytest.mark.unit

# The layout of the ODS ePCN core-partner sheet saved as CSV (synthetic codes).
HEADER = (
    "PCN Code,PCN Name,Partner Organisation Code,Partner Name,Practice Parent Sub ICB Loc Code,"
    "Practice to PCN Relationship Start Date,Practice to PCN Relationship End Date"
)
ODS_FILE = (
    HEADER
    + """
U99001,EXAMPLE NORTH PCN,Z99001,THE EXAMPLE SURGERY,15F,2019-07-01,
U99001,EXAMPLE NORTH PCN,Z99002,HILL MEDICAL PRACTICE,15F,2019-07-01,2021-03-31
U99002,EXAMPLE SOUTH PCN,Z99002,HILL MEDICAL PRACTICE,15F,2021-04-01,
U99002,EXAMPLE SOUTH PCN,Z99003,RIVER HEALTH CENTRE,15F,01/07/2019,31/12/2099
U99003,EXAMPLE EAST PCN,Z99003,RIVER HEALTH CENTRE,15F,2019-07-01,
U99003,EXAMPLE EAST PCN,NOT A CODE,BROKEN ROW,15F,2019-07-01,
U99003,EXAMPLE EAST PCN,Z99004,DATE TROUBLE,15F,2019-07-01,sometime
"""
)


def test_current_memberships_are_kept_and_bad_rows_named() -> None:
    result = practice_memberships(csv.reader(io.StringIO(ODS_FILE)), date(2026, 12, 7))
    assert result.table == {"Z99001": "U99001", "Z99002": "U99002", "Z99003": "U99002"}
    assert [reason.split(":")[0] for reason in result.skipped] == ["line 6", "line 7", "line 8"]
    assert "in both U99002 and U99003" in result.skipped[0]


def test_a_file_without_the_columns_is_refused_naming_them() -> None:
    with pytest.raises(OdsFileError, match="PCN code"):
        practice_memberships(csv.reader(io.StringIO("Partner Organisation Code,Name\nZ99001,X\n")), date(2026, 1, 1))


def test_the_command_writes_a_table_the_service_reads(tmp_path: Path) -> None:
    source, output = tmp_path / "epcn.csv", tmp_path / "practice_pcns.csv"
    source.write_text("\ufeff" + ODS_FILE, encoding="utf-8")  # spreadsheets save a byte order mark
    assert main([str(source), "-o", str(output), "--on", "2026-12-07"]) == 0
    practices = PracticeDirectory.load(output)
    assert practices.pcn_for("z99002") == "U99002" and practices.pcn_for("Z99009") is None
