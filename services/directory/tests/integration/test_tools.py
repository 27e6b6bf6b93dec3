"""The command-line tools: postcode loading (ONSPD layout), the importer, the demo directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import asyncpg
import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_directory.adapters import postcodes
from linkwork_directory.adapters.postcodes import load_onspd
from linkwork_directory.entrypoints import importer
from linkwork_directory.entrypoints.demo import fill
from linkwork_directory.entrypoints.load_postcodes import SAMPLE
from linkwork_directory.settings import Settings

pytestmark = pytest.mark.integration
# Columns in a different order from the sample, extra ones, a terminated postcode, one without a grid
# reference (ONSPD writes latitude 99.999999 for those) and one that is not a postcode at all.
ONSPD = """pcd,oseast1m,osnrth1m,lat,long,doterm,pcds,lsoa21,oslaua
LS6 1AN,428000,436000,53.819500,-1.577000,,LS6 1AN,E01011700,E08000035
LS6 1AP,428100,436100,53.820500,-1.579000,202001,LS6 1AP,E01011700,E08000035
LS6 9XX,,,99.999999,0.000000,,LS6 9XX,,
NOTAPOSTCODE,,,53.8,-1.5,,NOT A POSTCODE,,
"""


async def test_onspd_layout_is_read_by_column_name(pool: asyncpg.Pool, tmp_path: Path) -> None:
    path = tmp_path / "ONSPD_extract.csv"
    path.write_text(ONSPD)
    seen: list[int] = []

    async def progress(done: int) -> None:
        seen.append(done)

    assert await load_onspd(pool, path, on_progress=progress) == 2
    assert seen == [2]
    rows = {r["postcode"]: r for r in await pool.fetch("SELECT * FROM postcode")}
    assert set(rows) == {"LS6 1AN", "LS6 1AP"}
    assert rows["LS6 1AN"]["lsoa"] == "E01011700" and rows["LS6 1AN"]["terminated"] is None
    assert str(rows["LS6 1AP"]["terminated"]) == "2020-01-01"
    async with pool.acquire() as conn:
        assert await postcodes.centroid(conn, "ls61an") == (53.8195, -1.577)
        # A district is measured from its live postcodes' centre.
        origin = await postcodes.origin_of(conn, "LS6")
        assert origin is not None and (origin.latitude, origin.longitude, origin.district) == (53.8195, -1.577, "LS6")
        assert await postcodes.origin_of(conn, "BD1 1AA") is None
    # Loading again updates in place.
    assert await load_onspd(pool, path) == 2
    assert await pool.fetchval("SELECT count(*) FROM postcode") == 2


async def test_the_shipped_sample_loads(pool: asyncpg.Pool) -> None:
    loaded = await load_onspd(pool, SAMPLE)
    assert loaded == await pool.fetchval("SELECT count(*) FROM postcode") == 400
    assert await pool.fetchval("SELECT count(*) FROM postcode WHERE terminated IS NOT NULL") == 8


def test_importer_command_reports_and_sets_its_exit_status(
    database_url: str, oruk_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_path = tmp_path / "report.json"
    examples = oruk_root / "examples"
    status = importer.main(
        [
            str(examples / "service_full.json"),
            str(examples / "csv"),
            "--report",
            str(report_path),
            "--database-url",
            database_url,
        ]
    )
    assert status == 0
    report = json.loads(report_path.read_text())
    assert report["summary"]["rejected"] == 0 and report["summary"]["created"] >= 1
    assert "records imported: " in capsys.readouterr().err

    broken = tmp_path / "service_list.json"
    document = json.loads((examples / "service_list.json").read_text())
    document["contents"][0]["status"] = "closed"
    broken.write_text(json.dumps(document))
    assert importer.main([str(broken), "--database-url", database_url]) == 1
    assert "'closed' is not one of" in capsys.readouterr().out


def test_importer_reads_a_zipped_package(database_url: str, oruk_root: Path, tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "package"), "zip", oruk_root / "examples" / "csv")
    assert importer.main([archive, "--database-url", database_url, "--report", str(tmp_path / "r.json")]) == 0


async def test_demo_directory_covers_every_need_and_is_publishable(database_url: str) -> None:
    settings = Settings(database_url=database_url)

    report = await fill(settings, count=120, seed=3, spread="pcn", batch_size=50)

    assert report.counts()["created"] == 120
    assert not [w for r in report.records for w in r.warnings], "every demo service can be published"
    connection = await asyncpg.connect(database_url)
    try:
        needs = await connection.fetch(
            "SELECT DISTINCT t.term FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id"
            " WHERE t.taxonomy = 'linkwork-needs'"
        )
        assert {r["term"] for r in needs} == {need.value for need in NeedCategory}
        assert await connection.fetchval("SELECT count(*) FROM outbox") == 120
        stale = await connection.fetchval(
            "SELECT count(*) FROM service_extension WHERE last_verified_at < now() - interval '6 months'"
        )
        assert 0 < stale < 120
    finally:
        await connection.close()
    again = await fill(settings, count=120, seed=3, spread="pcn", batch_size=50)
    assert again.counts()["unchanged"] == 120
