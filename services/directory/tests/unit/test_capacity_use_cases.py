"""Waiting lists (service_layer/waiting_list.py), the new week (week_rollover.py), duplicates (duplicates.py) and
the bulk import path (bulk.py) against the in-memory unit of work, in milliseconds. The same rules against
PostgreSQL: integration/test_waiting_list.py, test_duplicates.py and test_bulk_import.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.errors import NotYourService, RecordRejected, UnknownEntry, UnknownService
from linkwork_directory.domain.oruk import Organization, Service
from linkwork_directory.domain.waiting_list import EntrySource, EntryStatus
from linkwork_directory.service_layer import duplicates, waiting_list
from linkwork_directory.service_layer.bulk import create_new_services
from linkwork_directory.service_layer.changes import apply_service
from linkwork_directory.service_layer.ports import Acting
from linkwork_directory.service_layer.week_rollover import roll_over

from ..directory_fakes import FakeSink, FakeUnitOfWork, curator

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # a Monday
ORGANIZATION = Organization(id=uuid4(), name="Feel Good Factor", description="Walks and swims in Leeds")


def service(name: str = "Walking group", organization: Organization = ORGANIZATION, **fields: Any) -> Service:
    return Service.model_validate(
        {"id": str(uuid4()), "name": name, "status": "active", "organization": organization.model_dump(), **fields}
    )


async def stored(uow: FakeUnitOfWork, *services: Service) -> None:
    for one in services:
        await apply_service(uow, one, Acting(NOW, FakeSink()))


async def test_people_are_offered_places_in_the_order_they_joined() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    await stored(uow, walk)
    first, second, third = uuid4(), uuid4(), uuid4()
    for minutes, entry in ((2, third), (0, first), (1, second)):
        joined = NOW + timedelta(minutes=minutes)
        source = EntrySource.ACTIVITY_REFERRAL
        await waiting_list.join(uow, walk.id, Acting(NOW, sink), source=source, joined_at=joined, entry_id=entry)

    assert [e.id for e in await waiting_list.queue(uow, walk.id)] == [first, second, third]
    assert await waiting_list.position(uow, third) == (walk.id, 3, EntryStatus.WAITING)
    assert sink.snapshots[-1].state.waiting == 3

    assert await waiting_list.start(uow, first, Acting(NOW, sink), at=NOW)
    assert await waiting_list.position(uow, first) == (walk.id, None, EntryStatus.STARTED)
    assert await waiting_list.position(uow, third) == (walk.id, 2, EntryStatus.WAITING)
    assert sink.snapshots[-1].state.waiting == 2


async def test_redelivered_and_late_events_change_nothing() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    await stored(uow, walk)
    entry = uuid4()
    for days in (0, 3):  # joining again keeps the first joining time
        await waiting_list.join(
            uow,
            walk.id,
            Acting(NOW, sink),
            source=EntrySource.PROVIDER,
            joined_at=NOW + timedelta(days=days),
            entry_id=entry,
        )
    assert [(e.id, e.joined_at) for e in await waiting_list.queue(uow, walk.id)] == [(entry, NOW)]

    assert await waiting_list.start(uow, entry, Acting(NOW, sink), at=NOW)
    # A late "left" never undoes a start, and is not announced.
    announced = len(sink.snapshots)
    assert not await waiting_list.leave(uow, entry, Acting(NOW, sink), reason="declined: other", at=NOW)
    assert len(sink.snapshots) == announced and uow.waiting.entries[entry].status is EntryStatus.STARTED
    with pytest.raises(UnknownEntry):
        await waiting_list.start(uow, entry, Acting(NOW, sink), at=NOW, service_id=uuid4())


async def test_providers_manage_only_their_own_services() -> None:
    uow, walk = FakeUnitOfWork(), service()
    await stored(uow, walk)

    await waiting_list.check_owner(uow, walk.id, str(ORGANIZATION.id).upper())
    await waiting_list.check_owner(uow, walk.id, None)  # a curator
    with pytest.raises(NotYourService):
        await waiting_list.check_owner(uow, walk.id, str(uuid4()))
    with pytest.raises(UnknownService):
        await waiting_list.check_owner(uow, uuid4(), None)
    assert await waiting_list.services_of(uow, str(ORGANIZATION.id)) == [(walk.id, "Walking group")]
    assert await waiting_list.services_of(uow, "not-an-organisation-id") == []


async def test_new_capacity_is_announced_only_when_it_changes() -> None:
    uow, sink, walk = FakeUnitOfWork(), FakeSink(), service()
    await stored(uow, walk)

    for _ in range(2):
        loaded = await waiting_list.set_capacity(uow, walk.id, Acting(NOW, sink), places_per_week=4, waiting_list=True)

    assert (loaded.state.settings.places_per_week, loaded.state.settings.waiting_list) == (4, True)
    assert sink.announced() == [walk.id] and sink.snapshots[0].state.places_remaining == 4


async def test_a_new_week_gives_back_the_places_taken_last_week() -> None:
    uow, sink, clock = FakeUnitOfWork(), FakeSink(), SettableClock(NOW)
    full, quiet, queued = service("Full"), service("Quiet"), service("Queued")
    await stored(uow, full, quiet, queued)
    for one in (full, quiet):
        await waiting_list.set_capacity(uow, one.id, Acting(NOW, sink), places_per_week=2, waiting_list=False)
    uow.services.kept[full.id].taken[week_starting(NOW)] = 2
    await waiting_list.join(uow, queued.id, Acting(NOW, sink), source=EntrySource.PROVIDER, joined_at=NOW)

    assert await roll_over(uow, clock=clock, sink=sink) == 0  # still the same week
    clock.advance(timedelta(weeks=1))
    sink.snapshots.clear()

    assert await roll_over(uow, clock=clock, sink=sink) == 2
    assert sorted(sink.announced()) == sorted([full.id, queued.id])
    assert next(s for s in sink.snapshots if s.service.id == full.id).state.places_remaining == 2
    assert await roll_over(uow, clock=clock, sink=sink) == 0  # announced for this week now


def listed(name: str, organization: str) -> Service:
    by = Organization(id=uuid4(), name=organization, description=organization)
    return service(name, by, url="https://example.org/" + name.lower().replace(" ", "-"))


async def _from_directories(uow: FakeUnitOfWork, *pairs: tuple[Service, str]) -> None:
    await stored(uow, *(one for one, _ in pairs))
    for one, directory in pairs:
        uow.services.kept[one.id].source_directory = directory


async def test_a_service_listed_by_two_directories_is_found_until_dismissed() -> None:
    uow = FakeUnitOfWork()
    council, network = listed("Lunch club", "Age UK Leeds"), listed("Lunch club", "Age UK Leeds")
    other = listed("Chess club", "Leeds Chess")
    await _from_directories(uow, (council, "council"), (network, "network"), (other, "network"))

    [pair] = await duplicates.candidates(uow)
    assert {pair.first.id, pair.second.id} == {council.id, network.id}

    await duplicates.dismiss(uow, network.id, council.id, Acting(NOW, FakeSink(), curator("curator-1")))
    assert await duplicates.candidates(uow) == []
    with pytest.raises(UnknownService):
        await duplicates.dismiss(uow, council.id, uuid4(), Acting(NOW, FakeSink(), curator("curator-1")))


async def test_the_finder_scores_again_only_when_the_directory_changed() -> None:
    uow, finder = FakeUnitOfWork(), duplicates.DuplicateFinder()
    council, network = listed("Lunch club", "Age UK Leeds"), listed("Lunch club", "Age UK Leeds")
    await _from_directories(uow, (council, "council"), (network, "network"))
    first = await finder.candidates(uow)

    assert await finder.candidates(uow) is first
    await duplicates.dismiss(uow, council.id, network.id, Acting(NOW, FakeSink(), curator("curator-1")))
    assert await finder.candidates(uow) == []


async def test_merging_withdraws_one_keeps_both_histories_and_announces_the_withdrawal() -> None:
    uow, sink = FakeUnitOfWork(), FakeSink()
    council, network = listed("Lunch club", "Age UK Leeds"), listed("Lunch club", "Age UK Leeds")
    await _from_directories(uow, (council, "council"), (network, "network"))

    kept = await duplicates.merge(uow, council.id, network.id, Acting(NOW, sink, curator("curator-1", "Sam")))

    assert kept.service.id == council.id and uow.services.kept[network.id].withdrawn_at == NOW
    assert sink.announced() == [network.id] and sink.snapshots[0].service.status == "inactive"
    assert await uow.curation.merged_into(network.id) == council.id
    actions = {(e.service_id, e.action) for e in uow.curation.history}
    assert actions == {(network.id, "withdrawn"), (network.id, "merged"), (council.id, "merged")}
    with pytest.raises(RecordRejected, match="already merged"):
        await duplicates.merge(uow, council.id, network.id, Acting(NOW, sink, curator("curator-1")))
    with pytest.raises(RecordRejected, match="into itself"):
        await duplicates.merge(uow, council.id, council.id, Acting(NOW, sink, curator("curator-1")))


async def test_a_bulk_batch_creates_new_services_and_leaves_the_rest_to_the_one_by_one_path() -> None:
    uow, sink = FakeUnitOfWork(), FakeSink()
    known, renamed = service("Known"), service("Renamed")
    await stored(uow, known, renamed)
    new, again = service("New"), service("Twice")
    batch = {0: new, 1: known, 2: renamed.model_copy(update={"name": "Renamed again"}), 3: again, 4: again}

    outcome = await create_new_services(uow, batch, Acting(NOW, sink))

    assert sorted(outcome.created) == [0, 3] and outcome.unchanged == [1]
    assert outcome.left_over == [2, 4]  # an update, and the same id a second time
    assert set(sink.announced()) == {new.id, again.id}


async def test_a_bulk_batch_the_store_refuses_is_left_whole_to_the_one_by_one_path() -> None:
    uow, sink = FakeUnitOfWork(), FakeSink()
    uow.refusal = "duplicate key value violates unique constraint"
    batch: dict[int, Service] = {0: service("One"), 1: service("Two")}

    outcome = await create_new_services(uow, batch, Acting(NOW, sink))

    assert (outcome.created, outcome.left_over) == ({}, [0, 1])
    assert uow.services.kept == {}
