"""The use cases the directory's event handlers call, against the in-memory unit of work: each changes the
directory and announces the service within the transaction its unit of work joined, once per event.
Plan-agreed counts the places a plan takes (service_layer/uptake.py; against PostgreSQL and Kafka:
integration/test_events.py); activity referrals move people through a waiting list
(service_layer/activity_referrals.py; integration/test_waiting_list.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_contracts.examples import ACTIVITY_REFERRAL_RESPONDED, ATTENDANCE_CONFIRMED, PLAN_AGREED, SERVICE_ID
from linkwork_directory.domain.oruk import Service
from linkwork_directory.service_layer import waiting_list
from linkwork_directory.service_layer.activity_referrals import apply_attendance, apply_response
from linkwork_directory.service_layer.changes import apply_service
from linkwork_directory.service_layer.ports import Acting
from linkwork_directory.service_layer.uptake import count_plan

from ..directory_fakes import FakeSink, FakeUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)  # the Monday of the week the plan's activity starts


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    walk = Service.model_validate({"id": str(SERVICE_ID), "name": "Walking group", "status": "active"})
    await apply_service(uow, walk, Acting(NOW, FakeSink()))
    await waiting_list.set_capacity(uow, SERVICE_ID, Acting(NOW, FakeSink()), places_per_week=5, waiting_list=False)
    return uow


async def test_the_place_taken_is_announced_within_the_joined_transaction(uow: FakeUnitOfWork) -> None:
    sink = FakeSink()
    consumer = object()  # stands for the consumer's inbox transaction the handler joins
    await count_plan(uow.factory().joining(consumer), PLAN_AGREED, Acting(NOW, sink))

    [snapshot] = sink.snapshots
    assert (snapshot.service.id, snapshot.state.taken_this_week, snapshot.state.places_remaining) == (SERVICE_ID, 1, 4)
    assert sink.sessions == [consumer], "the snapshot was not written within the consumer's transaction"


async def test_a_plan_version_is_counted_once_and_a_revision_replaces_it(uow: FakeUnitOfWork) -> None:
    sink = FakeSink()
    for _ in range(2):  # the second is a redelivery: nothing more taken, nothing announced
        await count_plan(uow.factory().joining(object()), PLAN_AGREED, Acting(NOW, sink))
    assert [s.state.taken_this_week for s in sink.snapshots] == [1]

    dropped = PLAN_AGREED.model_copy(update={"plan_version": 2, "activities": ()})
    await count_plan(uow.factory().joining(object()), dropped, Acting(NOW, sink))
    assert [s.state.taken_this_week for s in sink.snapshots] == [1, 0]


async def test_an_accepted_activity_referral_waits_within_the_joined_transaction_until_it_starts(
    uow: FakeUnitOfWork,
) -> None:
    sink = FakeSink()
    accepted, started = object(), object()  # the consumers' transactions of the two events
    for _ in range(2):  # the second is a redelivery: the entry keeps its place, nothing is announced
        await apply_response(uow.factory().joining(accepted), ACTIVITY_REFERRAL_RESPONDED, Acting(NOW, sink))
    await apply_attendance(uow.factory().joining(started), ATTENDANCE_CONFIRMED, Acting(NOW, sink))

    assert [s.state.waiting for s in sink.snapshots] == [1, 0]
    assert sink.sessions == [accepted, started]
