"""The bulk path for new services gives the same outcomes as applying records one by one."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_directory.adapters import oruk_files
from linkwork_directory.adapters.oruk_render import service_full
from linkwork_directory.adapters.service_reader import load_services
from linkwork_directory.adapters.unit_of_work import PostgresUnitOfWork
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.domain.oruk import Service
from linkwork_directory.service_layer.changes import apply_service
from linkwork_directory.service_layer.imports import Importer
from linkwork_directory.service_layer.ports import Acting

from .api_support import service
from .conftest import RecordingSink

pytestmark = pytest.mark.integration


def _items(documents: list[dict[str, Any]]) -> list[Any]:
    return oruk_files.items_from_document(documents, name="batch.json", kind="service")


async def test_a_child_id_used_by_two_new_services_rejects_the_second_only(
    importer: Importer, pool: asyncpg.Pool, sink: RecordingSink
) -> None:
    first = service("Lunch club", need=NeedCategory.LONELINESS_ISOLATION, days="MO")
    second = service("Supper club", need=NeedCategory.LONELINESS_ISOLATION, days="FR")
    third = service("Breakfast club", need=NeedCategory.LONELINESS_ISOLATION, days="SA")
    second["schedules"][0]["id"] = first["schedules"][0]["id"]

    report = await importer.run(_items([first, second, third]))

    assert [r.outcome for r in report.records] == [Outcome.CREATED, Outcome.REJECTED, Outcome.CREATED]
    assert "already belongs to another record" in report.records[1].errors[0]
    assert await pool.fetchval("SELECT count(*) FROM service") == 2
    assert sorted(s.service.name for s in sink.snapshots) == ["Breakfast club", "Lunch club"]


async def test_a_record_may_refer_to_a_location_an_earlier_record_of_the_batch_brings(
    importer: Importer, pool: asyncpg.Pool
) -> None:
    first = service("Art class", need=NeedCategory.ARTS_CREATIVITY_CULTURE, venue=(53.82, -1.57))
    location_id = first["service_at_locations"][0]["location"]["id"]
    second = service("Craft club", need=NeedCategory.ARTS_CREATIVITY_CULTURE, delivery=["in-person"])
    second["service_at_locations"] = [{"id": str(uuid.uuid4()), "location_id": location_id}]
    twice = dict(first, name="Art class (renamed in the same file)")

    report = await importer.run(_items([first, second, twice]))

    assert [r.outcome for r in report.records] == [Outcome.CREATED, Outcome.CREATED, Outcome.UPDATED]
    assert (
        await pool.fetchval("SELECT count(*) FROM service_at_location WHERE location_id = $1", uuid.UUID(location_id))
        == 2
    )
    assert await pool.fetchval("SELECT name FROM service WHERE id = $1", uuid.UUID(first["id"])) == twice["name"]


async def test_bulk_and_one_by_one_store_the_same(pool: asyncpg.Pool, importer: Importer, clock: Any) -> None:
    documents = [
        service(
            f"Group {n}",
            need=NeedCategory.PHYSICAL_ACTIVITY,
            venue=(53.8 + n / 1000, -1.55),
            days="TU",
            minimum_age=18,
            places_per_week=n,
        )
        for n in range(6)
    ]
    ids = [uuid.UUID(d["id"]) for d in documents]

    async def stored() -> list[dict[str, Any]]:
        async with pool.acquire() as conn:
            loaded = await load_services(conn, ids, week=week_starting(clock.now()))
        return [service_full(loaded[i].service, loaded[i].state) for i in ids]

    async with pool.acquire() as conn:
        for document in documents:
            await apply_service(
                PostgresUnitOfWork(conn), Service.model_validate(document), Acting(clock.now(), RecordingSink())
            )
    one_by_one = await stored()
    await pool.execute("TRUNCATE service, location, organization CASCADE")

    report = await importer.run(_items(documents))

    assert {r.outcome for r in report.records} == {Outcome.CREATED}
    assert await stored() == one_by_one


async def test_a_service_at_location_naming_an_unknown_or_malformed_service_is_rejected(importer: Importer) -> None:
    records = [
        {"id": str(uuid.uuid4()), "service_id": "not-a-uuid", "location_id": str(uuid.uuid4())},
        {"id": str(uuid.uuid4()), "service_id": str(uuid.uuid4()), "location_id": str(uuid.uuid4())},
    ]

    report = await importer.run(oruk_files.items_from_document(records, name="service_at_location_list.json"))

    assert [r.outcome for r in report.records] == [Outcome.REJECTED, Outcome.REJECTED]
    assert "is not a UUID" in report.records[0].errors[0]
    assert "is not a known service" in report.records[1].errors[0]
