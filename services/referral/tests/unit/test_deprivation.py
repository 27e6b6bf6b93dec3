"""Issue 18: the IMD decile of a new referral comes from the LSOA of the person's postcode.

The loader reads the published English Indices of Deprivation layout (a synthetic three-row extract here, with
the published column names); the demo's people all live at synthetic postcodes that have an LSOA and a decile.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from linkwork_referral.adapters.reference_tables import DeprivationTable, PostcodeDirectory
from linkwork_referral.entrypoints.deprivation import LayoutError, load
from linkwork_referral.settings import DATA, Settings
from linkwork_stack.people import Person

pytestmark = pytest.mark.unit

IOD_EXTRACT = (
    "LSOA code (2021),LSOA name (2021),Local Authority District code (2024),Local Authority District name (2024),"
    "Index of Multiple Deprivation (IMD) Score,"
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)\n"
    "E01011229,Leeds 012A,E08000035,Leeds,12.3,20001,7\n"
    "E01011230,Leeds 012B,E08000035,Leeds,55.1,1201,1\n"
    "W01000001,Isle of Anglesey 001A,W06000001,Isle of Anglesey,20.0,15000,5\n"
)


def test_the_loader_reads_the_published_layout_and_writes_the_table_the_service_reads(tmp_path: Path) -> None:
    source, out = tmp_path / "File_7.csv", tmp_path / "imd.csv"
    source.write_text(IOD_EXTRACT, encoding="utf-8-sig")  # the published CSV starts with a byte order mark
    assert load(source, out) == 3
    table = DeprivationTable.load(out)
    assert table.decile("E01011229") == 7 and table.decile("E01011230") == 1 and table.decile("E01999999") is None
    assert table.decile(None) is None


@pytest.mark.parametrize(
    "text",
    ["lsoa,decile\nE01011229,7\n", IOD_EXTRACT.replace(",7\n", ",11\n"), IOD_EXTRACT.replace("E01011229", "LS6 1AA")],
)
def test_the_loader_refuses_a_file_that_is_not_the_indices(tmp_path: Path, text: str) -> None:
    source = tmp_path / "wrong.csv"
    source.write_text(text)
    with pytest.raises(LayoutError):
        load(source, tmp_path / "out.csv")


def test_a_postcode_with_an_lsoa_gets_its_decile_and_the_same_location_as_before() -> None:
    districts = PostcodeDirectory.load(DATA / "postcode_districts.csv")
    settings = Settings()
    assert settings.postcode_lsoa_table is not None and settings.deprivation_table is not None
    demo = districts.with_postcodes(settings.postcode_lsoa_table).with_deprivation(
        DeprivationTable.load(settings.deprivation_table)
    )
    place = demo.place("ls6 3be")
    assert place is not None and place.lsoa is not None and place.imd_decile is not None
    before = districts.place("LS6 3BE")
    assert before is not None and place.location == before.location and place.district == before.district
    assert demo.place("M1 1AE") == districts.place("M1 1AE")  # unknown postcodes: as before, no decile


def test_every_demo_person_lives_where_the_decile_is_known() -> None:
    settings = Settings()
    assert settings.postcode_lsoa_table is not None and settings.deprivation_table is not None
    demo = PostcodeDirectory({}).with_postcodes(settings.postcode_lsoa_table)
    demo = demo.with_deprivation(DeprivationTable.load(settings.deprivation_table))
    rng = random.Random(18)
    deciles = set()
    for _ in range(300):
        place = demo.place(Person.random(rng).postcode)
        assert place is not None and place.imd_decile is not None
        deciles.add(place.imd_decile)
    assert deciles == set(range(1, 11))
