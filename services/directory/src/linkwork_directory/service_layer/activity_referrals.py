"""Activity referrals keep each service's waiting list live (issue 17), through the waiting-list use cases
(waiting_list.py).

An activity referral joins its service's waiting list when the provider accepts it, at the time it was
referred (first come, first served by referral); it leaves the list when declined (the deadline's
no-response included), and starts at its first attended session, or on completion if no session was
confirmed. Entries are keyed by the activity referral id, so redelivered events change nothing, and an
entry only moves forward. Events for services this directory does not hold, or for referrals it never
saw accepted, change nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from linkwork_contracts.codes import ActivityReferralDecision, SessionAttendance
from linkwork_contracts.events import ActivityReferralRespondedV1, AttendanceConfirmedV1

from linkwork_directory.domain.waiting_list import EntrySource, EntryStatus
from linkwork_directory.service_layer import waiting_list
from linkwork_directory.service_layer.ports import Acting, UnitOfWork

log = logging.getLogger(__name__)


async def apply_response(uow: UnitOfWork, response: ActivityReferralRespondedV1, acting: Acting) -> None:
    """An accepted referral joins its service's waiting list; a declined one still waiting leaves it."""
    entry = response.activity_referral_id
    async with uow.transaction():
        if response.decision is ActivityReferralDecision.ACCEPTED:
            if not await uow.services.exists(response.service_id):
                log.warning("activity referral %s is for a service not in this directory", entry)
                return
            await waiting_list.join(
                uow,
                response.service_id,
                acting,
                source=EntrySource.ACTIVITY_REFERRAL,
                joined_at=response.referred_at,
                entry_id=entry,
            )
            return
        stored = await uow.waiting.entry(entry)
        if stored is not None and stored.status is EntryStatus.WAITING:
            reason = f"declined: {response.decline_reason.value if response.decline_reason else 'other'}"
            await waiting_list.leave(uow, entry, acting, reason=reason, at=response.responded_at)


async def apply_attendance(uow: UnitOfWork, record: AttendanceConfirmedV1, acting: Acting) -> None:
    """A referral still waiting starts at its first attended session's day, or when completion is recorded."""
    attended = record.attendance is SessionAttendance.ATTENDED and record.session_on is not None
    if not (attended or record.completed):
        return  # a missed or cancelled session: still waiting to start
    async with uow.transaction():
        stored = await uow.waiting.entry(record.activity_referral_id)
        if stored is None or stored.status is not EntryStatus.WAITING:
            return
        at = datetime.combine(record.session_on, time(), UTC) if attended and record.session_on else record.recorded_at
        await waiting_list.start(uow, record.activity_referral_id, acting, at=at)
