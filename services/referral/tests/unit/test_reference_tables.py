"""Postcode and practice tables: the shipped demo files and the ONS Postcode Directory format."""

from __future__ import annotations

from pathlib import Path

import pytest
from linkwork_contracts.geography import ApproxLocation
from linkwork_referral.adapters.reference_tables import Place, PostcodeDirectory, PracticeDirectory
from linkwork_referral.settings import DATA

pytestmark = pytest.mark.unit


def test_the_demo_table_gives_a_district_and_a_rounded_location() -> None:
    postcodes = PostcodeDirectory.load(DATA / "postcode_districts.csv")
    assert len(postcodes) == 29
    assert postcodes.place("ls6 1aa") == Place("LS6", ApproxLocation(latitude=53.82, longitude=-1.57))
    # Outside the demo area the district is still known; the location is not.
    assert postcodes.place("M1 1AE") == Place("M1", None)
    assert postcodes.place(None) is None


def test_an_onspd_file_gives_the_postcode_centroid_and_lsoa(tmp_path: Path) -> None:
    onspd = tmp_path / "onspd.csv"
    onspd.write_text(
        "pcd,pcds,lat,long,lsoa21\n"
        "LS6 1AA,LS6 1AA,53.8193,-1.5766,E01011229\n"
        "LS6 2BB,LS6 2BB,53.8211,-1.5634,E01011230\n"
        "LS6 9ZZ,LS6 9ZZ,99.999999,0.000000,\n"  # ONSPD's "no grid reference"
    )
    postcodes = PostcodeDirectory.load(onspd)
    assert postcodes.place("LS6 1AA") == Place("LS6", ApproxLocation(latitude=53.82, longitude=-1.58), "E01011229")
    # A postcode missing from the file falls back to the mean of its district's postcodes.
    assert postcodes.place("LS6 4CC") == Place("LS6", ApproxLocation(latitude=53.82, longitude=-1.57))


def test_practices_route_to_their_pcn_or_the_default() -> None:
    practices = PracticeDirectory.load(DATA / "practice_pcns.csv")
    assert practices.pcn_for("Z99001") == "U00001" and practices.pcn_for("Z99004") == "U00002"
    assert practices.pcn_for("Z00000") is None and practices.pcn_for(None) is None
    single = PracticeDirectory.load(DATA / "practice_pcns.csv", default_pcn="U12345")
    assert single.pcn_for("Z00000") == "U12345"
