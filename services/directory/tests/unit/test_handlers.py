"""The directory's event handlers against the in-memory unit of work: each changes the directory and announces
the service within the consumer's transaction (the unit of work it was given, `joining` that transaction),
once per event. Plan-agreed counts the places a plan takes (against PostgreSQL and Kafka:
integration/test_events.py); activity referrals move people through a waiting list
(integration/test_waiting_list.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_contracts.envelope import wrap
from linkwork_contracts.examples import ACTIVITY_REFERRAL_RESPONDED, ATTENDANCE_CONFIRMED, PLAN_AGREED, SERVICE_ID
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.domain.oruk import Service
from linkwork_directory.handlers.activity_referrals import ActivityReferralHandlers
from linkwork_directory.handlers.plan_agreed import PlanAgreedHandler
from linkwork_directory.service_layer import waiting_list
from linkwork_directory.service_layer.changes import apply_service
from linkwork_directory.service_layer.ports import Acting

from ..directory_fakes import FakeSink, FakeUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)  # the Monday of the week the plan's activity starts
ENVELOPE = wrap(PLAN_AGREED, source="urn:test:referral")


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    walk = Service.model_validate({"id": str(SERVICE_ID), "name": "Walking group", "status": "active"})
    await apply_service(uow, walk, Acting(NOW, FakeSink()))
    await waiting_list.set_capacity(uow, SERVICE_ID, Acting(NOW, FakeSink()), places_per_week=5, waiting_list=False)
    return uow


async def test_the_place_taken_is_announced_within_the_consumers_transaction(uow: FakeUnitOfWork) -> None:
    sink = FakeSink()
    consumer = object()  # stands for the consumer's inbox transaction the runtime hands the handler
    await PlanAgreedHandler(uow.factory(), sink, SettableClock(NOW))(PLAN_AGREED, ENVELOPE, consumer)

    [snapshot] = sink.snapshots
    assert (snapshot.service.id, snapshot.state.taken_this_week, snapshot.state.places_remaining) == (SERVICE_ID, 1, 4)
    assert sink.sessions == [consumer], "the snapshot was not written within the consumer's transaction"


async def test_a_plan_version_is_counted_once_and_a_revision_replaces_it(uow: FakeUnitOfWork) -> None:
    sink = FakeSink()
    handler = PlanAgreedHandler(uow.factory(), sink, SettableClock(NOW))
    for _ in range(2):  # the second is a redelivery: nothing more taken, nothing announced
        await handler(PLAN_AGREED, ENVELOPE, object())
    assert [s.state.taken_this_week for s in sink.snapshots] == [1]

    dropped = PLAN_AGREED.model_copy(update={"plan_version": 2, "activities": ()})
    await handler(dropped, wrap(dropped, source="urn:test:referral"), object())
    assert [s.state.taken_this_week for s in sink.snapshots] == [1, 0]


async def test_an_accepted_activity_referral_waits_within_the_consumers_transaction_until_it_starts(
    uow: FakeUnitOfWork,
) -> None:
    sink = FakeSink()
    handlers = ActivityReferralHandlers(uow.factory(), sink, SettableClock(NOW))
    accepted, started = object(), object()  # the consumers' transactions of the two events
    for _ in range(2):  # the second is a redelivery: the entry keeps its place, nothing is announced
        await handlers.responded(
            ACTIVITY_REFERRAL_RESPONDED, wrap(ACTIVITY_REFERRAL_RESPONDED, source="urn:test:referral"), accepted
        )
    await handlers.attendance(ATTENDANCE_CONFIRMED, wrap(ATTENDANCE_CONFIRMED, source="urn:test:referral"), started)

    assert [s.state.waiting for s in sink.snapshots] == [1, 0]
    assert sink.sessions == [accepted, started]
