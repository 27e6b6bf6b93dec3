"""service-changed: keep the latest snapshot of each service in the read model (v2 and v3 are v1 subclasses)."""

from __future__ import annotations

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ServiceChangedV1

from linkwork_matching.service_layer.ports import ConsumerTransaction, MatchingUnitOfWork


class ServiceChangedHandler:
    def __init__(self, units: MatchingUnitOfWork) -> None:
        self._units = units

    async def __call__(self, event: ServiceChangedV1, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        # The in-memory index follows the table (IndexSync), so every replica sees every service
        # even though each consumes only some partitions.
        await self._units.joining(transaction).snapshots.save(event, envelope.data)
