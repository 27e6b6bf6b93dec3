"""Importing the ORUK v3 example documents and CSV package, whole and corrupted."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from linkwork_directory.adapters import oruk_csv, oruk_files
from linkwork_directory.adapters.oruk_render import service_full
from linkwork_directory.adapters.oruk_schemas import SERVICE, OrukSchemas
from linkwork_directory.adapters.service_reader import load_services
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.service_layer.imports import Importer

pytestmark = pytest.mark.integration

EXAMPLE_SERVICE = UUID("ac148810-d857-441c-9679-408f346de14b")
JSON_EXAMPLES = [
    "taxonomy.json",
    "taxonomy_list.json",
    "taxonomy_term.json",
    "taxonomy_term_list.json",
    "organization_list.json",
    "organization_full.json",
    "service_full.json",
    "service_list.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
]


async def _stored_document(pool: asyncpg.Pool, service_id: UUID) -> dict[str, Any]:
    async with pool.acquire() as conn:
        loaded = (await load_services(conn, [service_id], week=week_starting(date(2025, 6, 2))))[service_id]
    return service_full(loaded.service, loaded.state)


@pytest.mark.parametrize("name", JSON_EXAMPLES)
async def test_each_json_example_imports_and_reads_back_valid(
    name: str, oruk_root: Path, importer: Importer, pool: asyncpg.Pool, reference_schemas: OrukSchemas
) -> None:
    report = await importer.run(oruk_files.items_from_file(oruk_root / "examples" / name))

    assert report.rejected == [], report.as_dict()
    assert report.records and all(r.outcome is Outcome.CREATED for r in report.records)
    if name.startswith(("service", "organization_full")):
        document = await _stored_document(pool, EXAMPLE_SERVICE)
        assert reference_schemas.errors(SERVICE, document) == []


@pytest.mark.parametrize("name", JSON_EXAMPLES)
async def test_importing_a_json_example_again_changes_nothing(name: str, oruk_root: Path, importer: Importer) -> None:
    items = oruk_files.items_from_file(oruk_root / "examples" / name)
    await importer.run(items)

    again = await importer.run(items)

    assert {r.outcome for r in again.records} == {Outcome.UNCHANGED}


async def test_all_json_examples_together_read_back_whole_and_valid(
    oruk_root: Path, importer: Importer, pool: asyncpg.Pool, reference_schemas: OrukSchemas
) -> None:
    items = [item for name in JSON_EXAMPLES for item in oruk_files.items_from_file(oruk_root / "examples" / name)]
    first = await importer.run(items)
    assert first.rejected == []
    after_first = await _stored_document(pool, EXAMPLE_SERVICE)

    await importer.run(items)

    # The files disagree on one term's taxonomy_id, so the revision moves; the content does not.
    after_second = await _stored_document(pool, EXAMPLE_SERVICE)
    after_first["social_prescribing"].pop("revision")
    after_second["social_prescribing"].pop("revision")
    assert after_second == after_first
    document = await _stored_document(pool, EXAMPLE_SERVICE)
    assert reference_schemas.errors(SERVICE, document) == []
    full = json.loads((oruk_root / "examples" / "service_full.json").read_text())
    # The fully nested example comes back with everything it carried.
    for key, children in full.items():
        if isinstance(children, list):
            assert len(document[key]) == len(children), key
    assert document["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "ABC 1234"


async def test_csv_package_imports_with_notes_and_is_idempotent(
    oruk_root: Path, importer: Importer, pool: asyncpg.Pool, reference_schemas: OrukSchemas
) -> None:
    package = oruk_csv.read_folder(oruk_root / "examples" / "csv")
    items = oruk_csv.items_from_package(package)

    report = await importer.run(items)

    assert report.rejected == [], report.as_dict()
    assert [(r.kind, r.outcome) for r in report.records] == [
        ("taxonomy", Outcome.CREATED),
        ("taxonomy_term", Outcome.CREATED),
        ("organization", Outcome.CREATED),
        ("location", Outcome.CREATED),
        ("service", Outcome.CREATED),
    ]
    assert any("attribute.csv line 3" in note for note in package.notes)
    document = await _stored_document(pool, EXAMPLE_SERVICE)
    assert reference_schemas.errors(SERVICE, document) == []
    assert document["contacts"][0]["phones"][0]["id"] == "1554f2e2-a373-45db-a3fa-9fc48a61c15e"
    assert document["schedules"][0]["byday"] == "TH,FR"

    again = await importer.run(oruk_csv.items_from_package(oruk_csv.read_folder(oruk_root / "examples" / "csv")))
    assert {r.outcome for r in again.records} == {Outcome.UNCHANGED}


def _corrupt_list(document: dict[str, Any]) -> dict[str, Any]:
    """service_list.json with a second, valid service and a third with three faults."""
    good = json.loads(json.dumps(document["contents"][0]))
    good["id"] = "0e9e2ec6-3b0a-4d6e-9d5e-1f6a3a3e7c11"
    good["name"] = "Walking for Health"
    bad = json.loads(json.dumps(good))
    bad.update(id="not-a-uuid", status="closed", minimum_age="twelve")
    return {**document, "contents": [document["contents"][0], good, bad]}


async def test_corrupted_json_rejects_bad_records_and_imports_the_rest(
    oruk_root: Path, importer: Importer, pool: asyncpg.Pool
) -> None:
    document = _corrupt_list(json.loads((oruk_root / "examples" / "service_list.json").read_text()))
    full = json.loads((oruk_root / "examples" / "service_full.json").read_text())
    full["id"] = "5b0f0b9e-7a55-4f1c-9a0e-3c1d2b4a5e66"
    full["schedules"][0]["byday"] = "TH,XX"
    full["minimum_age"], full["maximum_age"] = 70, 18

    report = await importer.run(
        oruk_files.items_from_document(document, name="service_list.json")
        + oruk_files.items_from_document(full, name="service_full.json")
    )

    outcomes = [(r.id, r.outcome) for r in report.records]
    assert outcomes == [
        (str(EXAMPLE_SERVICE), Outcome.CREATED),
        ("0e9e2ec6-3b0a-4d6e-9d5e-1f6a3a3e7c11", Outcome.CREATED),
        ("not-a-uuid", Outcome.REJECTED),
        ("5b0f0b9e-7a55-4f1c-9a0e-3c1d2b4a5e66", Outcome.REJECTED),
    ]
    bad_list, bad_full = report.records[2], report.records[3]
    assert bad_list.source == "service_list.json contents[2]"
    assert any("id: 'not-a-uuid' is not a 'uuid'" in e for e in bad_list.errors)
    assert any("status: 'closed' is not one of" in e for e in bad_list.errors)
    assert any("minimum_age: 'twelve' is not of type 'number'" in e for e in bad_list.errors)
    assert any("schedules[0].byday" in e and "'XX'" in e for e in bad_full.errors)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM service") == 2
        # Nothing of the rejected full record is left: no schedule, location or contact of its own.
        assert await conn.fetchval("SELECT count(*) FROM schedule WHERE service_id = $1", UUID(full["id"])) == 0


async def test_age_rule_is_checked_beyond_the_schema(oruk_root: Path, importer: Importer) -> None:
    full = json.loads((oruk_root / "examples" / "service_full.json").read_text())
    full["minimum_age"], full["maximum_age"] = 70, 18

    report = await importer.run(oruk_files.items_from_document(full, name="service_full.json"))

    assert report.records[0].outcome is Outcome.REJECTED
    assert report.records[0].errors == ["(record): minimum_age 70 is above maximum_age 18"]


async def test_corrupted_csv_names_file_and_line_and_imports_the_rest(
    oruk_root: Path, importer: Importer, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    folder = tmp_path / "csv"
    shutil.copytree(oruk_root / "examples" / "csv", folder)

    def rewrite(name: str, *extra: str, change: tuple[str, str] | None = None) -> None:
        """Write the file back as header, its one data row (optionally changed), then extra rows."""
        header, row = [line for line in (folder / name).read_text().splitlines() if line.strip()]
        if change:
            row = row.replace(*change)
        (folder / name).write_text("\n".join([header, row, *extra]) + "\n")

    service_row = [line for line in (folder / "services.csv").read_text().splitlines() if line.strip()][1]
    example_id = "ac148810-d857-441c-9679-408f346de14b"
    rewrite(
        "services.csv",
        service_row.replace(example_id, "7d3c8a3e-52d4-4f7b-8f6e-2a9d3c1b0e55"),
        service_row.replace(example_id, "8e4d9b4f-63e5-4a8c-9a7f-3b0e4d2c1f66"),
    )
    schedule_row = [line for line in (folder / "schedule.csv").read_text().splitlines() if line.strip()][1]
    rewrite(
        "schedule.csv",
        schedule_row.replace("48102e86-bb50-41c4-8f1e-e269368c41d1", "9f5e0c5a-74f6-4b9d-8b8a-4c1f5e3d2a77")
        .replace(example_id, "8e4d9b4f-63e5-4a8c-9a7f-3b0e4d2c1f66")
        .replace("10:00:00", "25:00:00"),
    )
    (folder / "schedules.csv").unlink()
    rewrite("locations.csv", change=("physical", "floating"))

    report = await importer.run(oruk_csv.items_from_package(oruk_csv.read_folder(folder)))

    by_source = {r.source: r for r in report.records}
    assert by_source["locations.csv line 2"].outcome is Outcome.REJECTED
    assert any("location_type: 'floating' is not one of" in e for e in by_source["locations.csv line 2"].errors)
    # The service at the rejected location cannot be linked to it, and says so.
    assert by_source["services.csv line 2"].outcome is Outcome.REJECTED
    assert any("is not a known location" in e for e in by_source["services.csv line 2"].errors)
    assert by_source["services.csv line 3"].outcome is Outcome.CREATED
    bad_schedule = by_source["services.csv line 4"]
    assert bad_schedule.outcome is Outcome.REJECTED
    assert any(e.startswith("schedule.csv line 3") and "25:00:00" in e for e in bad_schedule.errors), bad_schedule
    async with pool.acquire() as conn:
        ids = {r["id"] for r in await conn.fetch("SELECT id::text FROM service")}
    assert ids == {"7d3c8a3e-52d4-4f7b-8f6e-2a9d3c1b0e55"}
