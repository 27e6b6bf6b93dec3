"""activity-referral-responded and attendance-confirmed keep each service's waiting list live (issue 17).

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
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ActivityReferralRespondedV1, AttendanceConfirmedV1

from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.waiting_list import EntrySource, EntryStatus
from linkwork_directory.service_layer import waiting_list
from linkwork_directory.service_layer.ports import Acting, ChangeSink, ConsumerTransaction, UnitOfWorkFactory

log = logging.getLogger(__name__)


class ActivityReferralHandlers:
    def __init__(self, units: UnitOfWorkFactory, sink: ChangeSink, clock: Clock) -> None:
        self.units, self.sink, self.clock = units, sink, clock

    def _acting(self) -> Acting:
        """An event's change: made now, by no one signed in here."""
        return Acting(self.clock.now(), self.sink)

    async def responded(
        self, event: ActivityReferralRespondedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        uow = self.units.joining(transaction)
        entry = event.activity_referral_id
        if event.decision is ActivityReferralDecision.ACCEPTED:
            if not await uow.services.exists(event.service_id):
                log.warning("activity referral %s is for a service not in this directory", entry)
                return
            await waiting_list.join(
                uow,
                event.service_id,
                self._acting(),
                source=EntrySource.ACTIVITY_REFERRAL,
                joined_at=event.referred_at,
                entry_id=entry,
            )
            return
        stored = await uow.waiting.entry(entry)
        if stored is not None and stored.status is EntryStatus.WAITING:
            reason = f"declined: {event.decline_reason.value if event.decline_reason else 'other'}"
            await waiting_list.leave(uow, entry, self._acting(), reason=reason, at=event.responded_at)

    async def attendance(
        self, event: AttendanceConfirmedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        attended = event.attendance is SessionAttendance.ATTENDED and event.session_on is not None
        if not (attended or event.completed):
            return  # a missed or cancelled session: still waiting to start
        uow = self.units.joining(transaction)
        stored = await uow.waiting.entry(event.activity_referral_id)
        if stored is None or stored.status is not EntryStatus.WAITING:
            return
        at = datetime.combine(event.session_on, time(), UTC) if attended and event.session_on else event.recorded_at
        await waiting_list.start(uow, event.activity_referral_id, self._acting(), at=at)
