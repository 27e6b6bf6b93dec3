"""Matching's event handlers (handlers/) against the in-memory unit of work: each does its work through the
records `joining` the consumer's transaction, so its effect commits with the event's receipt or not at all."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.envelope import CloudEvent, wrap
from linkwork_contracts.events import Event
from linkwork_matching.adapters.inbound import service_from_event
from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.handlers.learning import LearningHandlers
from linkwork_matching.handlers.referrals import ReferralMatcher
from linkwork_matching.handlers.services import ServiceChangedHandler
from linkwork_matching.service_layer.learning import learn_from_attendance, learn_from_follow_up, learn_from_plan
from matching_fakes import FakeLearningRecords, FakeMatchingSession, FakeMatchingUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
REFERRAL = examples.REFERRAL_ID
SERVICE = examples.SERVICE_ID
PHYSICAL = NeedCategory.PHYSICAL_ACTIVITY
Handler = Callable[[Any, CloudEvent, Any], Awaitable[None]]


@pytest.fixture
def units() -> FakeMatchingUnitOfWork:
    return FakeMatchingUnitOfWork()


def matcher(units: FakeMatchingUnitOfWork) -> ReferralMatcher:
    index = ServiceIndex()
    index.upsert(service_from_event(examples.SERVICE_CHANGED))
    return ReferralMatcher(units, Ranker(index), options_per_need=3, ranker_version="test", clock=lambda: NOW)


async def consume(units: FakeMatchingUnitOfWork, handler: Handler, event: Event) -> None:
    """Run the handler as the consumer does: inside its transaction, committed when the handler returns."""
    async with units.transaction() as consumer:
        await handler(event, wrap(event, source="urn:test"), consumer)


def held(records: FakeMatchingSession) -> tuple[Any, ...]:
    """Everything the records hold, to compare before and after."""
    learning = records.learning
    return (
        records.referrals.referrals,
        records.referrals.suggestion_sets,
        records.referrals.outbox,
        records.referrals.gaps,
        learning.baselines,
        learning.follow_ups,
        learning.observations,
        learning.refreshed,
        records.snapshots.held,
    )


async def test_a_referral_gets_its_suggestions_and_their_outbox_row(units: FakeMatchingUnitOfWork) -> None:
    await consume(units, matcher(units), examples.REFERRAL_CREATED)

    (message,) = units.committed.referrals.outbox
    assert (message.referral_id, message.referral_version, message.suggested_at) == (REFERRAL, 1, NOW)
    assert units.committed.referrals.suggestion_sets == {(REFERRAL, 1): message}
    assert {o.need for _, _, o in units.committed.referrals.gaps} == set(examples.REFERRAL_CREATED.needs)


@pytest.mark.parametrize(
    ("handler_name", "use_case", "event"),
    [
        ("plan_agreed", learn_from_plan, examples.PLAN_AGREED),
        ("follow_up_recorded", learn_from_follow_up, examples.FOLLOW_UP_RECORDED),
        ("attendance_confirmed", learn_from_attendance, examples.ATTENDANCE_CONFIRMED),
    ],
    ids=["plan", "follow-up", "attendance"],
)
async def test_a_learning_handler_commits_what_its_use_case_learns(
    units: FakeMatchingUnitOfWork, handler_name: str, use_case: Callable[[Any, Any], Awaitable[None]], event: Event
) -> None:
    """The rules are the use case's (tests/unit/test_learning.py); the handler only runs it on the learning
    records joining the consumer's transaction."""
    await consume(units, getattr(LearningHandlers(units), handler_name), event)

    learned = FakeLearningRecords()
    await use_case(event, learned)
    assert vars(units.committed.learning) == vars(learned) != vars(FakeLearningRecords())


async def test_a_service_snapshot_is_kept_unless_a_later_revision_is_held(units: FakeMatchingUnitOfWork) -> None:
    handler = ServiceChangedHandler(units)
    event = examples.SERVICE_CHANGED
    await consume(units, handler, event)
    assert units.committed.snapshots.held[event.service_id][0] == event.revision

    older = event.model_copy(update={"revision": event.revision - 1, "name": "An older name"})
    await consume(units, handler, older)
    revision, data = units.committed.snapshots.held[event.service_id]
    assert (revision, data["name"]) == (event.revision, event.name)


def _handlers(units: FakeMatchingUnitOfWork) -> list[tuple[Handler, Event]]:
    learning = LearningHandlers(units)
    return [
        (matcher(units), examples.REFERRAL_CREATED),
        (learning.plan_agreed, examples.PLAN_AGREED),
        (learning.follow_up_recorded, examples.FOLLOW_UP_RECORDED),
        (learning.attendance_confirmed, examples.ATTENDANCE_CONFIRMED),
        (ServiceChangedHandler(units), examples.SERVICE_CHANGED),
    ]


@pytest.mark.parametrize("which", range(5), ids=["referral", "plan", "follow-up", "attendance", "service"])
async def test_nothing_is_kept_when_the_consumers_transaction_rolls_back(
    units: FakeMatchingUnitOfWork, which: int
) -> None:
    units.committed.learning.observations[REFERRAL, SERVICE, PHYSICAL] = Attendance(
        REFERRAL, SERVICE, PHYSICAL, True, NOW, confirmed=False
    )
    before = held(copy.deepcopy(units.committed))
    handler, event = _handlers(units)[which]
    with pytest.raises(ConnectionError):
        async with units.transaction() as consumer:
            await handler(event, wrap(event, source="urn:test"), consumer)
            assert held(consumer) != before, "the handler wrote nothing into the consumer's transaction"
            raise ConnectionError("the inbox row was not written")
    assert held(units.committed) == before


async def test_overlapping_consumer_transactions_keep_both_their_snapshots(units: FakeMatchingUnitOfWork) -> None:
    handler = ServiceChangedHandler(units)
    other = examples.SERVICE_CHANGED.model_copy(update={"service_id": uuid.UUID(int=7)})
    async with units.transaction() as first, units.transaction() as second:
        await handler(examples.SERVICE_CHANGED, wrap(examples.SERVICE_CHANGED, source="urn:test"), first)
        await handler(other, wrap(other, source="urn:test"), second)
    assert set(units.committed.snapshots.held) == {SERVICE, other.service_id}
