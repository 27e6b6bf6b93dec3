"""Keeps this replica's in-memory index in step with the read model tables.

The read model's consumer writes services and outcome tallies to PostgreSQL; every replica then
follows the tables by change number, so each holds the whole directory whichever partitions it
consumes, and only committed changes ever reach an index.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from linkwork_matching.adapters import read_model
from linkwork_matching.adapters.inbound import service_from_snapshot
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.observability import MatchingMetrics

log = logging.getLogger(__name__)


class IndexSync:
    def __init__(
        self, pool: asyncpg.Pool, ranker: Ranker, *, interval: float = 0.5, metrics: MatchingMetrics | None = None
    ) -> None:
        self._pool = pool
        self._ranker = ranker
        self._interval = interval
        self._metrics = metrics
        self._services_seen = 0
        self._tallies_seen = 0
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

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

    async def start(self) -> None:
        loaded = await self.catch_up()
        log.info("index loaded", extra={"changes": loaded, "services": len(self._ranker.index)})
        self._task = asyncio.create_task(self._follow(), name="matching-index-sync")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.catch_up()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("index sync failed, will retry: %r", error)
