"""Keeps this replica's in-memory index in step with the read model tables.

The read model's consumer writes services and outcome tallies to PostgreSQL; every replica then
follows the tables by change number, so each holds the whole directory whichever partitions it
consumes, and only committed changes ever reach an index.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_matching.adapters import read_model
from linkwork_matching.adapters.inbound import service_from_snapshot
from linkwork_matching.adapters.metrics import MatchingMetrics
from linkwork_matching.domain.ranker import Ranker

log = logging.getLogger(__name__)


class IndexSync:
    def __init__(
        self,
        pool: asyncpg.Pool,
        ranker: Ranker,
        *,
        interval: float = 0.5,
        metrics: MatchingMetrics | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._pool = pool
        self._ranker = ranker
        self._metrics = metrics
        self._services_seen = 0
        self._tallies_seen = 0
        self._lock = asyncio.Lock()
        self._rounds = PeriodicTask("index-sync", self._round, interval=interval, run_at_start=False, registry=registry)

    async def catch_up(self) -> int:
        """Apply every committed change not yet applied; returns how many."""
        applied = 0
        async with self._lock:
            while changes := await read_model.changed_services(self._pool, self._services_seen):
                for seq, snapshot in changes:
                    self._ranker.index.upsert(service_from_snapshot(snapshot))
                    self._services_seen = seq
                applied += len(changes)
                # A batch costs tens of milliseconds; requests get the loop in between, so a
                # large import in the directory slows answers a little instead of stalling them.
                await asyncio.sleep(0)
            while tallies := await read_model.changed_tallies(self._pool, self._tallies_seen):
                for change in tallies:
                    self._ranker.record_outcomes(change.service_id, change.need, change.tally)
                    self._tallies_seen = change.change_seq
                applied += len(tallies)
        if self._metrics is not None:
            self._metrics.index_services.set(len(self._ranker.index))
        return applied

    @contextlib.asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """No rounds meanwhile, e.g. while the read model replays the topic: the index is loaded
        once at the end instead of in many rounds competing with the replay for the one core."""
        async with self._lock:
            yield

    async def start(self) -> None:
        loaded = await self.catch_up()
        log.info("index loaded", extra={"changes": loaded, "services": len(self._ranker.index)})
        await self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def _round(self) -> None:
        await self.catch_up()
