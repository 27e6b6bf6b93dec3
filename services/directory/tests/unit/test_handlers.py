"""The directory's event handlers against the in-memory unit of work: each calls its use case with the unit of
work it was given `joining` the consumer's transaction, so the change commits with the event's receipt.
Plan-agreed's rules are tested on its use case (test_event_use_cases.py); activity referrals move people
through a waiting list (integration/test_waiting_list.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from linkwork_contracts.envelope import wrap
from linkwork_contracts.events import PlanAgreedV1
from linkwork_contracts.examples import ACTIVITY_REFERRAL_RESPONDED, ATTENDANCE_CONFIRMED, PLAN_AGREED, SERVICE_ID
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.domain.oruk import Service
from linkwork_directory.handlers import plan_agreed
from linkwork_directory.handlers.activity_referrals import ActivityReferralHandlers
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


async def test_plan_agreed_counts_the_plan_within_the_consumers_transaction(
    uow: FakeUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules are the use case's (test_event_use_cases.py); the handler only calls it, joining the
    consumer's transaction and acting now."""
    calls: list[tuple[Any, PlanAgreedV1, Acting]] = []

    async def count_plan(joined: Any, plan: PlanAgreedV1, acting: Acting) -> None:
        calls.append((joined.session, plan, acting))

    monkeypatch.setattr(plan_agreed, "count_plan", count_plan)
    sink, consumer = FakeSink(), object()  # `consumer` stands for the consumer's inbox transaction
    await plan_agreed.PlanAgreedHandler(uow.factory(), sink, SettableClock(NOW))(PLAN_AGREED, ENVELOPE, consumer)

    assert calls == [(consumer, PLAN_AGREED, Acting(NOW, sink))]


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
