"""The bulk import (service_layer/imports.py `Importer`) against the in-memory unit of work, with the bundled ORUK
schemas: each record's outcome, rejections that stop nothing else, and progress by batch. The same against
PostgreSQL and the published examples: integration/test_import_examples.py and test_bulk_import.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.domain.importing import ImportItem, Outcome
from linkwork_directory.service_layer.imports import Importer

from ..directory_fakes import FakeSink, FakeUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
ORGANIZATION = {"id": str(uuid4()), "name": "Feel Good Factor", "description": "Walks and swims in Leeds"}


def _service(name: str, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid4()), "name": name, "status": "active", "organization_id": ORGANIZATION["id"], **fields}


def _importer(uow: FakeUnitOfWork, sink: FakeSink, batch_size: int = 100) -> Importer:
    return Importer(uow.factory(), clock=SettableClock(NOW), sink=sink, oruk=OrukFormat(), batch_size=batch_size)


async def test_each_record_is_reported_and_a_rejected_one_stops_nothing_else() -> None:
    uow, sink = FakeUnitOfWork(), FakeSink()
    walk, nameless = _service("Walking group"), _service("")
    del nameless["name"]
    items = [
        ImportItem("organization", "organization.json", ORGANIZATION),
        ImportItem("service", "service.csv line 2", walk),
        ImportItem("service", "service.csv line 3", nameless),
    ]

    report = await _importer(uow, sink).run(items)

    outcomes = [(r.source, r.outcome) for r in report.records]
    assert outcomes == [
        ("organization.json", Outcome.CREATED),
        ("service.csv line 2", Outcome.CREATED),
        ("service.csv line 3", Outcome.REJECTED),
    ]
    assert report.records[2].errors == ["(record): 'name' is a required property"]
    assert [str(i) for i in uow.services.kept] == [str(i) for i in sink.announced()] == [walk["id"]]

    again = await _importer(uow, sink).run(items[:2])
    assert [r.outcome for r in again.records] == [Outcome.UNCHANGED, Outcome.UNCHANGED]


async def test_new_services_in_bulk_are_created_and_progress_is_told_after_each_batch() -> None:
    uow, sink = FakeUnitOfWork(), FakeSink()
    await _importer(uow, sink).run([ImportItem("organization", "organization.json", ORGANIZATION)])
    services = [ImportItem("service", f"service.csv line {n + 2}", _service(f"Group {n}")) for n in range(5)]
    told: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        told.append((done, total))

    report = await _importer(uow, sink, batch_size=2).run(services, on_progress=progress)

    assert [r.outcome for r in report.records] == [Outcome.CREATED] * 5
    assert told == [(2, 5), (4, 5), (5, 5)] and len(uow.services.kept) == 5


async def test_a_service_at_location_record_adds_its_link_to_the_stored_service() -> None:
    uow, sink = FakeUnitOfWork(), FakeSink()
    walk = _service("Walking group")
    location = {"id": str(uuid4()), "location_type": "physical", "name": "Roundhay Park"}
    link = {"id": str(uuid4()), "service_id": walk["id"], "location": location}
    items = [
        ImportItem("organization", "organization.json", ORGANIZATION),
        ImportItem("service", "service.json", walk),
        ImportItem("service_at_location", "service_at_location.json", link),
    ]

    report = await _importer(uow, sink).run(items)

    assert [r.outcome for r in report.records] == [Outcome.CREATED, Outcome.CREATED, Outcome.UPDATED]
    stored = next(iter(uow.services.kept.values())).service
    assert [str(sal.id) for sal in stored.service_at_locations] == [link["id"]]
    assert stored.locations()[0].name == "Roundhay Park"
