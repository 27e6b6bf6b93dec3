"""Changed services to the outbox of the `service-changed` topic, in the transaction that changed them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from linkwork_contracts.events import ServiceChangedV3
from linkwork_runtime import messaging

from linkwork_directory.adapters import postcodes
from linkwork_directory.adapters.service_events import Unpublishable, postcodes_to_look_up, snapshot
from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.service_layer.ports import Loaded

log = logging.getLogger(__name__)


class OutboxSink:
    def __init__(self, source: str) -> None:
        self.source = source

    async def services_changed(self, conn: Connection, snapshots: Sequence[Loaded], now: datetime) -> dict[UUID, str]:
        centroids = await postcodes.centroids(conn, postcodes_to_look_up(list(snapshots)))
        events: list[ServiceChangedV3] = []
        unpublished: dict[UUID, str] = {}
        for loaded in snapshots:
            mapped = snapshot(loaded, changed_at=now, centroids=centroids)
            if isinstance(mapped, Unpublishable):
                log.warning("service %s is not published on service-changed: %s", mapped.service_id, mapped.reason)
                unpublished[mapped.service_id] = mapped.reason
            else:
                events.append(mapped)
        await messaging.add_many(conn, events, source=self.source)
        return unpublished
