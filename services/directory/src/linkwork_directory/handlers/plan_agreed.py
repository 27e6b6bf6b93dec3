"""plan-agreed: the consumer's entry point to counting a plan's uptake (service_layer/uptake.py)."""

from __future__ import annotations

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import PlanAgreedV1

from linkwork_directory.domain.freshness import Clock
from linkwork_directory.service_layer.ports import Acting, ChangeSink, ConsumerTransaction, UnitOfWorkFactory
from linkwork_directory.service_layer.uptake import count_plan


class PlanAgreedHandler:
    def __init__(self, units: UnitOfWorkFactory, sink: ChangeSink, clock: Clock) -> None:
        self.units, self.sink, self.clock = units, sink, clock

    async def __call__(self, event: PlanAgreedV1, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        # Within the consumer's inbox transaction, so the places taken and their snapshots commit with the
        # event's receipt; the change is made now, by no one signed in here.
        await count_plan(self.units.joining(transaction), event, Acting(self.clock.now(), self.sink))
