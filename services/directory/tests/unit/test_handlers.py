"""The directory's event handlers against the in-memory unit of work: each calls its use case with the unit of
work it was given `joining` the consumer's transaction, so the change commits with the event's receipt, made
now by no one signed in. The rules are tested on the use cases (test_event_use_cases.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from linkwork_contracts.envelope import wrap
from linkwork_contracts.events import Event
from linkwork_contracts.examples import ACTIVITY_REFERRAL_RESPONDED, ATTENDANCE_CONFIRMED, PLAN_AGREED
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.handlers import activity_referrals, plan_agreed
from linkwork_directory.service_layer.ports import Acting

from ..directory_fakes import FakeSink, FakeUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
Handler = Callable[[Any, Any, Any], Awaitable[None]]


def plan_handler(uow: FakeUnitOfWork, sink: FakeSink) -> Handler:
    return plan_agreed.PlanAgreedHandler(uow.factory(), sink, SettableClock(NOW))


def responded_handler(uow: FakeUnitOfWork, sink: FakeSink) -> Handler:
    return activity_referrals.ActivityReferralHandlers(uow.factory(), sink, SettableClock(NOW)).responded


def attendance_handler(uow: FakeUnitOfWork, sink: FakeSink) -> Handler:
    return activity_referrals.ActivityReferralHandlers(uow.factory(), sink, SettableClock(NOW)).attendance


@pytest.mark.parametrize(
    ("module", "use_case", "handler", "event"),
    [
        (plan_agreed, "count_plan", plan_handler, PLAN_AGREED),
        (activity_referrals, "apply_response", responded_handler, ACTIVITY_REFERRAL_RESPONDED),
        (activity_referrals, "apply_attendance", attendance_handler, ATTENDANCE_CONFIRMED),
    ],
    ids=["plan-agreed", "activity-referral-responded", "attendance-confirmed"],
)
async def test_a_handler_calls_its_use_case_within_the_consumers_transaction(
    monkeypatch: pytest.MonkeyPatch,
    module: object,
    use_case: str,
    handler: Callable[[FakeUnitOfWork, FakeSink], Handler],
    event: Event,
) -> None:
    calls: list[tuple[Any, Event, Acting]] = []

    async def recorded(joined: FakeUnitOfWork, given: Event, acting: Acting) -> None:
        calls.append((joined.session, given, acting))

    monkeypatch.setattr(module, use_case, recorded)
    sink, consumer = FakeSink(), object()  # `consumer` stands for the consumer's inbox transaction
    await handler(FakeUnitOfWork(), sink)(event, wrap(event, source="urn:test:referral"), consumer)

    assert calls == [(consumer, event, Acting(NOW, sink))]
