"""service-changed: keep the latest snapshot of each service in the read model (v2 and v3 are v1 subclasses)."""

from __future__ import annotations

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ServiceChangedV1

from linkwork_matching.adapters import read_model


async def on_service_changed(event: ServiceChangedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    # The in-memory index follows the table (IndexSync), so every replica sees every service
    # even though each consumes only some partitions.
    await read_model.save_snapshot(connection, event, envelope.data)
