"""Matching's event handlers (handlers/) against the in-memory unit of work: each does its work through the
records `joining` the consumer's transaction, so its effect commits with the event's receipt or not at all."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import AttendanceStatus, ConfirmedBy, NeedCategory, SessionAttendance
from linkwork_contracts.envelope import CloudEvent, wrap
from linkwork_contracts.events import Event
from linkwork_matching.adapters.inbound import service_from_event
from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.handlers.learning import LearningHandlers
from linkwork_matching.handlers.referrals import ReferralMatcher
from linkwork_matching.handlers.services import ServiceChangedHandler
from matching_fakes import FakeMatchingSession, FakeMatchingUnitOfWork

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


async def test_a_plan_keeps_its_baseline_and_refreshes_the_tallies_of_what_was_observed(
    units: FakeMatchingUnitOfWork,
) -> None:
    units.committed.learning.observations[REFERRAL, SERVICE, PHYSICAL] = Attendance(
        REFERRAL, SERVICE, PHYSICAL, True, NOW, confirmed=True
    )
    await consume(units, LearningHandlers(units).plan_agreed, examples.PLAN_AGREED)

    learning = units.committed.learning
    assert learning.baselines == {REFERRAL: (1, examples.BASELINE_SWEMWBS.metric_score)}
    assert learning.refreshed == [(SERVICE, PHYSICAL)]


async def test_an_older_plan_changes_nothing(units: FakeMatchingUnitOfWork) -> None:
    units.committed.learning.baselines[REFERRAL] = (2, 20.0)
    units.committed.learning.observations[REFERRAL, SERVICE, PHYSICAL] = Attendance(
        REFERRAL, SERVICE, PHYSICAL, True, NOW, confirmed=True
    )
    await consume(units, LearningHandlers(units).plan_agreed, examples.PLAN_AGREED)

    assert (units.committed.learning.baselines, units.committed.learning.refreshed) == ({REFERRAL: (2, 20.0)}, [])


async def test_a_follow_up_keeps_attendance_and_wellbeing_and_refreshes_the_tallies(
    units: FakeMatchingUnitOfWork,
) -> None:
    event = examples.FOLLOW_UP_RECORDED
    await consume(units, LearningHandlers(units).follow_up_recorded, event)

    learning = units.committed.learning
    assert learning.observations == {
        (REFERRAL, SERVICE, PHYSICAL): Attendance(REFERRAL, SERVICE, PHYSICAL, True, event.contact_at, True)
    }
    (measure,) = event.measures
    assert learning.follow_ups == {REFERRAL: (measure.metric_score, measure.recorded_at)}
    assert learning.refreshed == [(SERVICE, PHYSICAL)]


async def test_a_follow_up_saying_nothing_new_refreshes_nothing(units: FakeMatchingUnitOfWork) -> None:
    (activity,) = examples.FOLLOW_UP_RECORDED.attendance
    not_started = activity.model_copy(update={"status": AttendanceStatus.NOT_STARTED})
    event = examples.FOLLOW_UP_RECORDED.model_copy(update={"attendance": (not_started,), "measures": ()})
    await consume(units, LearningHandlers(units).follow_up_recorded, event)

    learning = units.committed.learning
    assert (learning.observations, learning.follow_ups, learning.refreshed) == ({}, {}, [])


async def test_a_self_report_does_not_replace_a_providers_confirmation(units: FakeMatchingUnitOfWork) -> None:
    (activity,) = examples.FOLLOW_UP_RECORDED.attendance
    self_report = activity.model_copy(update={"status": AttendanceStatus.DID_NOT_ATTEND, "confirmed_by": None})
    later = examples.FOLLOW_UP_RECORDED.contact_at + timedelta(days=7)
    event = examples.FOLLOW_UP_RECORDED.model_copy(
        update={"attendance": (self_report,), "measures": (), "contact_at": later}
    )
    confirmed = Attendance(REFERRAL, SERVICE, PHYSICAL, True, examples.FOLLOW_UP_RECORDED.contact_at, confirmed=True)
    units.committed.learning.observations[REFERRAL, SERVICE, PHYSICAL] = confirmed
    await consume(units, LearningHandlers(units).follow_up_recorded, event)

    assert units.committed.learning.observations == {(REFERRAL, SERVICE, PHYSICAL): confirmed}
    assert units.committed.learning.refreshed == []


async def test_a_confirmed_attendance_is_kept_and_its_tally_refreshed(units: FakeMatchingUnitOfWork) -> None:
    event = examples.ATTENDANCE_CONFIRMED
    await consume(units, LearningHandlers(units).attendance_confirmed, event)

    key = (event.referral_id, event.service_id, event.need)
    assert units.committed.learning.observations == {key: Attendance(*key, True, event.recorded_at, confirmed=True)}
    assert units.committed.learning.refreshed == [(event.service_id, event.need)]


async def test_a_cancelled_session_says_nothing(units: FakeMatchingUnitOfWork) -> None:
    event = examples.ATTENDANCE_CONFIRMED.model_copy(
        update={"attendance": SessionAttendance.CANCELLED, "sessions_attended": 0, "confirmed_by": ConfirmedBy.PROVIDER}
    )
    await consume(units, LearningHandlers(units).attendance_confirmed, event)

    assert (units.committed.learning.observations, units.committed.learning.refreshed) == ({}, [])


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
