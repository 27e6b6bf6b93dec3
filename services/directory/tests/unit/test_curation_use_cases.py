"""A curator's changes (service_layer/curation.py) and applying records (service_layer/changes.py) against the
in-memory unit of work: what curators and the services reading `service-changed` rely on, in milliseconds.
The same rules against PostgreSQL: integration/test_concurrency_and_history.py and test_events.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from linkwork_directory.domain.errors import RecordRejected, StaleVersion, UnknownService, VersionRequired
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.domain.oruk import Organization, Service
from linkwork_directory.service_layer import curation
from linkwork_directory.service_layer.changes import apply_organization, apply_service
from linkwork_directory.service_layer.ports import Acting

from ..directory_fakes import FakeSink, FakeUnitOfWork, curator

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
ORGANIZATION = Organization(id=uuid4(), name="Feel Good Factor", description="Walks and swims in Leeds")


def service(name: str = "Walking group", **fields: Any) -> Service:
    return Service.model_validate(
        {"id": str(uuid4()), "name": name, "status": "active", "organization": ORGANIZATION.model_dump(), **fields}
    )


async def test_creating_a_service_records_who_created_it_and_announces_it() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()

    applied, loaded = await curation.save(uow, walk, Acting(NOW, sink, curator("curator-1", "Sam")))

    assert applied.outcome is Outcome.CREATED and loaded.service.name == "Walking group"
    assert sink.announced() == [walk.id] and sink.snapshots[0].state.revision == 1
    [entry] = uow.curation.history
    assert (entry.service_id, entry.actor, entry.actor_name, entry.action) == (walk.id, "curator-1", "Sam", "created")


async def test_an_update_records_the_fields_it_changed() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    _, first = await curation.save(uow, walk, Acting(NOW, sink, curator("curator-1")))

    renamed = walk.model_copy(update={"name": "Walk and talk"})
    applied, loaded = await curation.save(
        uow, renamed, Acting(NOW, sink, curator("curator-2")), if_match=curation.etag(first), require_version=True
    )

    assert applied.outcome is Outcome.UPDATED and loaded.state.revision == 2
    assert uow.curation.history[-1].action == "updated"
    assert {"field": "name", "before": "Walking group", "after": "Walk and talk"} in uow.curation.history[-1].changes


async def test_a_change_to_a_version_someone_else_changed_is_refused_and_nothing_is_written() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    _, first = await curation.save(uow, walk, Acting(NOW, sink, curator("curator-1")))
    await curation.save(uow, walk.model_copy(update={"name": "Theirs"}), Acting(NOW, sink, curator("curator-2")))

    with pytest.raises(StaleVersion):
        await curation.save(
            uow,
            walk.model_copy(update={"name": "Mine"}),
            Acting(NOW, sink, curator("curator-3")),
            if_match=curation.etag(first),
        )
    with pytest.raises(VersionRequired):
        await curation.save(uow, walk, Acting(NOW, sink, curator("curator-3")), require_version=True)
    assert (await curation.load(uow, walk.id, NOW)).service.name == "Theirs"
    assert [e.actor for e in uow.curation.history] == ["curator-1", "curator-2"]


async def test_withdrawing_announces_the_service_withdrawn_once_and_records_why() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    await curation.save(uow, walk, Acting(NOW, sink, curator("curator-1")))

    for _ in range(2):  # withdrawing again changes nothing
        loaded = await curation.withdraw(uow, walk.id, Acting(NOW, sink, curator("curator-1")), reason="group closed")

    assert loaded.service.status == "inactive" and loaded.state.withdrawn_at == NOW
    assert sink.announced() == [walk.id, walk.id] and sink.snapshots[-1].state.withdrawal_reason == "group closed"
    assert [(e.action, e.note) for e in uow.curation.history[1:]] == [("withdrawn", "group closed")]


async def test_verifying_restarts_the_review_clock_and_is_announced() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    await curation.save(uow, walk, Acting(NOW, sink, curator("curator-1")))
    later = NOW + timedelta(days=200)

    loaded = await curation.verify(uow, walk.id, Acting(later, sink, curator("curator-2")))

    assert (loaded.state.last_verified_at, loaded.state.verified_by) == (later, "curator-2")
    assert loaded.service.assured_date == later.date() and sink.snapshots[-1].state.last_verified_at == later
    assert uow.curation.history[-1].action == "verified"
    with pytest.raises(UnknownService):
        await curation.verify(uow, uuid4(), Acting(later, sink, curator("curator-2")))


async def test_the_same_record_applied_twice_is_unchanged_and_not_announced_again() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()

    assert (await apply_service(uow, walk, Acting(NOW, sink))).outcome is Outcome.CREATED
    assert (await apply_service(uow, walk, Acting(NOW, sink))).outcome is Outcome.UNCHANGED
    assert sink.announced() == [walk.id]


async def test_renaming_an_organization_announces_every_service_it_runs() -> None:
    uow, sink = FakeUnitOfWork(), FakeSink()
    walk, swim = service("Walking group"), service("Swimming")
    for one in (walk, swim):
        await apply_service(uow, one, Acting(NOW, sink))

    applied = await apply_organization(
        uow, ORGANIZATION.model_copy(update={"name": "Feel Good Factor Leeds"}), Acting(NOW, sink)
    )

    assert applied.outcome is Outcome.UPDATED
    assert set(sink.announced()[2:]) == {walk.id, swim.id}


async def test_a_record_the_store_refuses_is_rejected_with_its_reason_and_leaves_nothing() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    uow.refusal = "that contact id already belongs to another record"

    with pytest.raises(RecordRejected) as rejected:
        await apply_service(uow, walk, Acting(NOW, sink))

    assert rejected.value.reasons == ["that contact id already belongs to another record"]
    assert uow.services.kept == {}


async def test_a_service_the_contract_cannot_describe_is_stored_with_a_warning() -> None:
    uow, walk = FakeUnitOfWork(), service()
    sink = FakeSink(unpublishable={walk.id: "it states no delivery mode"})

    applied = await apply_service(uow, walk, Acting(NOW, sink))

    assert applied.outcome is Outcome.CREATED and walk.id in uow.services.kept
    assert applied.warnings == [f"service {walk.id} is not published on service-changed: it states no delivery mode"]
