"""Keeps this replica's in-memory index in step with the read model tables.

The read model's consumer writes services and outcome tallies to PostgreSQL; every replica then
follows the tables by change number, so each holds the whole directory whichever partitions it
consumes, and only committed changes ever reach an index. The changes come through the
`ReadModelChanges` port (service_layer/ports.py): adapters/read_model.py in production, the in-memory
fake in the unit tests. workers/index_sync.py runs a round every `index_sync_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.service_layer.ports import IndexCounts, ReadModelChanges

log = logging.getLogger(__name__)


class IndexSync:
    def __init__(self, changes: ReadModelChanges, ranker: Ranker, *, metrics: IndexCounts | None = None) -> None:
        self._changes = changes
        self._ranker = ranker
        self._metrics = metrics
        self._services_seen = 0
        self._tallies_seen = 0
        self._lock = asyncio.Lock()

    async def catch_up(self) -> int:
        """Apply every committed change not yet applied; returns how many."""
        applied = 0
        async with self._lock:
            while changes := await self._changes.changed_services(self._services_seen):
                for seq, service in changes:
                    self._ranker.index.upsert(service)
                    self._services_seen = seq
                applied += len(changes)
                # A batch costs tens of milliseconds; requests get the loop in between, so a
                # large import in the directory slows answers a little instead of stalling them.
                await asyncio.sleep(0)
            while tallies := await self._changes.changed_tallies(self._tallies_seen):
                for change in tallies:
                    self._ranker.record_outcomes(change.service_id, change.need, change.tally)
                    self._tallies_seen = change.change_seq
                applied += len(tallies)
        if self._metrics is not None:
            self._metrics.index_services.set(len(self._ranker.index))
        return applied

    async def load(self) -> int:
        """The first catch-up, at start-up (workers/index_sync.py, before the read model consumer's replay)."""
        loaded = await self.catch_up()
        log.info("index loaded", extra={"changes": loaded, "services": len(self._ranker.index)})
        return loaded

    @contextlib.asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """No rounds meanwhile, e.g. while the read model replays the topic: the index is loaded
        once at the end instead of in many rounds competing with the replay for the one core."""
        async with self._lock:
            yield

    async def next_round(self) -> float | None:
        """One round as workers/index_sync.py runs it; the next one after the interval."""
        await self.catch_up()
        return None
