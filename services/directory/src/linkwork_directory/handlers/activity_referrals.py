"""activity-referral-responded and attendance-confirmed: the consumer's entry points to keeping waiting lists
live (service_layer/activity_referrals.py)."""

from __future__ import annotations

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ActivityReferralRespondedV1, AttendanceConfirmedV1

from linkwork_directory.domain.freshness import Clock
from linkwork_directory.service_layer.activity_referrals import apply_attendance, apply_response
from linkwork_directory.service_layer.ports import Acting, ChangeSink, ConsumerTransaction, UnitOfWorkFactory


class ActivityReferralHandlers:
    """Each runs within the consumer's inbox transaction, so the waiting list and its snapshots commit with the
    event's receipt."""

    def __init__(self, units: UnitOfWorkFactory, sink: ChangeSink, clock: Clock) -> None:
        self.units, self.sink, self.clock = units, sink, clock

    def _acting(self) -> Acting:
        """An event's change: made now, by no one signed in here."""
        return Acting(self.clock.now(), self.sink)

    async def responded(
        self, event: ActivityReferralRespondedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        await apply_response(self.units.joining(transaction), event, self._acting())

    async def attendance(
        self, event: AttendanceConfirmedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        await apply_attendance(self.units.joining(transaction), event, self._acting())
