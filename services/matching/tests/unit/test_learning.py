"""Learning what works (service_layer/learning.py) against the in-memory learning records: what each plan,
follow-up and attendance record keeps, and when the tallies are refreshed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import AttendanceStatus, ConfirmedBy, NeedCategory, SessionAttendance
from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.service_layer.learning import learn_from_attendance, learn_from_follow_up, learn_from_plan
from matching_fakes import FakeLearningRecords

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
REFERRAL = examples.REFERRAL_ID
SERVICE = examples.SERVICE_ID
PHYSICAL = NeedCategory.PHYSICAL_ACTIVITY
# A provider-confirmed attendance held from before, whose tally a new baseline changes.
OBSERVED = Attendance(REFERRAL, SERVICE, PHYSICAL, True, NOW, confirmed=True)


@pytest.fixture
def learning() -> FakeLearningRecords:
    return FakeLearningRecords()


async def test_a_plan_keeps_its_baseline_and_refreshes_the_tallies_of_what_was_observed(
    learning: FakeLearningRecords,
) -> None:
    learning.observations[REFERRAL, SERVICE, PHYSICAL] = OBSERVED
    await learn_from_plan(examples.PLAN_AGREED, learning)

    assert learning.baselines == {REFERRAL: (1, examples.BASELINE_SWEMWBS.metric_score)}
    assert learning.refreshed == [(SERVICE, PHYSICAL)]


async def test_an_older_plan_changes_nothing(learning: FakeLearningRecords) -> None:
    learning.baselines[REFERRAL] = (2, 20.0)
    learning.observations[REFERRAL, SERVICE, PHYSICAL] = OBSERVED
    await learn_from_plan(examples.PLAN_AGREED, learning)

    assert (learning.baselines, learning.refreshed) == ({REFERRAL: (2, 20.0)}, [])


async def test_a_follow_up_keeps_attendance_and_wellbeing_and_refreshes_the_tallies(
    learning: FakeLearningRecords,
) -> None:
    event = examples.FOLLOW_UP_RECORDED
    await learn_from_follow_up(event, learning)

    assert learning.observations == {
        (REFERRAL, SERVICE, PHYSICAL): Attendance(REFERRAL, SERVICE, PHYSICAL, True, event.contact_at, True)
    }
    (measure,) = event.measures
    assert learning.follow_ups == {REFERRAL: (measure.metric_score, measure.recorded_at)}
    assert learning.refreshed == [(SERVICE, PHYSICAL)]


async def test_a_follow_up_saying_nothing_new_refreshes_nothing(learning: FakeLearningRecords) -> None:
    (activity,) = examples.FOLLOW_UP_RECORDED.attendance
    not_started = activity.model_copy(update={"status": AttendanceStatus.NOT_STARTED})
    event = examples.FOLLOW_UP_RECORDED.model_copy(update={"attendance": (not_started,), "measures": ()})
    await learn_from_follow_up(event, learning)

    assert (learning.observations, learning.follow_ups, learning.refreshed) == ({}, {}, [])


async def test_a_self_report_does_not_replace_a_providers_confirmation(learning: FakeLearningRecords) -> None:
    (activity,) = examples.FOLLOW_UP_RECORDED.attendance
    self_report = activity.model_copy(update={"status": AttendanceStatus.DID_NOT_ATTEND, "confirmed_by": None})
    later = examples.FOLLOW_UP_RECORDED.contact_at + timedelta(days=7)
    event = examples.FOLLOW_UP_RECORDED.model_copy(
        update={"attendance": (self_report,), "measures": (), "contact_at": later}
    )
    confirmed = Attendance(REFERRAL, SERVICE, PHYSICAL, True, examples.FOLLOW_UP_RECORDED.contact_at, confirmed=True)
    learning.observations[REFERRAL, SERVICE, PHYSICAL] = confirmed
    await learn_from_follow_up(event, learning)

    assert learning.observations == {(REFERRAL, SERVICE, PHYSICAL): confirmed}
    assert learning.refreshed == []


async def test_a_confirmed_attendance_is_kept_and_its_tally_refreshed(learning: FakeLearningRecords) -> None:
    event = examples.ATTENDANCE_CONFIRMED
    await learn_from_attendance(event, learning)

    key = (event.referral_id, event.service_id, event.need)
    assert learning.observations == {key: Attendance(*key, True, event.recorded_at, confirmed=True)}
    assert learning.refreshed == [(event.service_id, event.need)]


async def test_a_cancelled_session_says_nothing(learning: FakeLearningRecords) -> None:
    event = examples.ATTENDANCE_CONFIRMED.model_copy(
        update={"attendance": SessionAttendance.CANCELLED, "sessions_attended": 0, "confirmed_by": ConfirmedBy.PROVIDER}
    )
    await learn_from_attendance(event, learning)

    assert (learning.observations, learning.refreshed) == ({}, [])
