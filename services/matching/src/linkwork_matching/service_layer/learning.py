"""Learning what works, per service and need, from what plans, follow-ups and providers say.

Attendance a provider confirmed outweighs attendance the person or link worker reported (issue 17):
see `effectiveness.SELF_REPORTED_WEIGHT` and `LearningRecords.save_attendance` (service_layer/ports.py).
A tally is refreshed only when something it counts changed, so a redelivered or older event costs no
recount.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from linkwork_contracts.codes import AttendanceStatus, ConfirmedBy, SessionAttendance
from linkwork_contracts.events import AttendanceConfirmedV1, FollowUpRecordedV1, PlanAgreedV1
from linkwork_contracts.measures import MeasureResult, SwemwbsResult

from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.service_layer.ports import LearningRecords

# Whether a status says the person took part. Someone who stopped did go; not-started says
# nothing yet, so it is not an outcome.
TOOK_PART: dict[AttendanceStatus, bool | None] = {
    AttendanceStatus.NOT_STARTED: None,
    AttendanceStatus.ATTENDING: True,
    AttendanceStatus.COMPLETED: True,
    AttendanceStatus.STOPPED: True,
    AttendanceStatus.DID_NOT_ATTEND: False,
}


def latest_swemwbs(measures: Sequence[MeasureResult]) -> SwemwbsResult | None:
    scores = [m for m in measures if isinstance(m, SwemwbsResult)]
    return max(scores, key=lambda m: m.recorded_at) if scores else None


def took_part_in(event: AttendanceConfirmedV1) -> bool | None:
    """Whether the record says the person took part: any session attended so far (or completion) says
    yes; a missed session with none attended says no; a cancelled session says nothing."""
    if event.completed or event.sessions_attended > 0:
        return True
    if event.attendance is SessionAttendance.DID_NOT_ATTEND:
        return False
    return None


async def _refresh_all(learning: LearningRecords, referral_id: UUID) -> None:
    for service_id, need in await learning.observed_activities(referral_id):
        await learning.refresh_tally(service_id, need)


async def learn_from_plan(event: PlanAgreedV1, learning: LearningRecords) -> None:
    """Keep the plan's baseline wellbeing; a newer baseline changes every outcome of the referral's activities."""
    baseline = latest_swemwbs(event.baseline_measures)
    metric = None if baseline is None else baseline.metric_score
    if await learning.save_baseline(event.referral_id, event.plan_version, metric):
        await _refresh_all(learning, event.referral_id)


async def learn_from_follow_up(event: FollowUpRecordedV1, learning: LearningRecords) -> None:
    """Keep who took part in which activity, as the follow-up says, and the latest wellbeing score."""
    changed = False
    for activity in sorted(event.attendance, key=lambda a: (str(a.service_id), a.need)):
        took_part = TOOK_PART[activity.status]
        if took_part is not None:
            changed |= await learning.save_attendance(
                Attendance(
                    event.referral_id,
                    activity.service_id,
                    activity.need,
                    attended=took_part,
                    contact_at=event.contact_at,
                    # The link worker recording that the provider confirmed it counts as the provider's word.
                    confirmed=activity.confirmed_by is ConfirmedBy.PROVIDER,
                )
            )
    measure = latest_swemwbs(event.measures)
    if measure is not None:
        changed |= await learning.save_follow_up_wellbeing(event.referral_id, measure.metric_score, measure.recorded_at)
    if changed:
        await _refresh_all(learning, event.referral_id)


async def learn_from_attendance(event: AttendanceConfirmedV1, learning: LearningRecords) -> None:
    """Keep what a provider's attendance record says about taking part in its one activity."""
    took_part = took_part_in(event)
    if took_part is None:
        return
    attendance = Attendance(
        event.referral_id,
        event.service_id,
        event.need,
        attended=took_part,
        contact_at=event.recorded_at,
        confirmed=event.confirmed_by is ConfirmedBy.PROVIDER,
    )
    if await learning.save_attendance(attendance):
        await learning.refresh_tally(event.service_id, event.need)
