"""plan-agreed, follow-up-recorded and attendance-confirmed: the consumer's entry points to the learning
use cases (service_layer/learning.py)."""

from __future__ import annotations

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import AttendanceConfirmedV1, FollowUpRecordedV1, PlanAgreedV1

from linkwork_matching.service_layer import learning
from linkwork_matching.service_layer.ports import ConsumerTransaction, MatchingUnitOfWork


class LearningHandlers:
    """Each runs within the consumer's inbox transaction, so what it learns commits with the event's receipt."""

    def __init__(self, units: MatchingUnitOfWork) -> None:
        self._units = units

    async def plan_agreed(self, event: PlanAgreedV1, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        await learning.learn_from_plan(event, self._units.joining(transaction).learning)

    async def follow_up_recorded(
        self, event: FollowUpRecordedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        await learning.learn_from_follow_up(event, self._units.joining(transaction).learning)

    async def attendance_confirmed(
        self, event: AttendanceConfirmedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        await learning.learn_from_attendance(event, self._units.joining(transaction).learning)
