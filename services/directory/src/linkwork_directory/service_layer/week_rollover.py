"""When a new week starts, services whose places were taken last week have them all back: announce that.

`places_remaining` in a snapshot is for the week it was announced in. Nothing else changes on a
Monday morning, so without this the last snapshot of the week before would stand until the service
next changed, and matching would keep treating a full group as full.

The estimated wait (issue 17) is for the week announced too: it rests on the starts of the 8 weeks before,
so a service with people waiting, or with starts in that window, is announced again each new week as well.
"""

from __future__ import annotations

import logging

import asyncpg
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_directory.adapters import uptake_store as store
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.waiting_list import WINDOW_WEEKS
from linkwork_directory.service_layer.changes import ChangeSink, announce

log = logging.getLogger(__name__)


async def roll_over(conn: asyncpg.Connection, *, clock: Clock, sink: ChangeSink, limit: int = 500) -> int:
    """Announce up to `limit` services whose latest snapshot is for an earlier week in which places
    were taken, or whose waiting-time estimate moves with the week; returns how many were announced."""
    now = clock.now()
    async with conn.transaction():
        services = await store.lock_services_of_past_week(
            conn, week=week_starting(now), window_weeks=WINDOW_WEEKS, limit=limit
        )
        await announce(conn, services, sink, now)
    return len(services)


class WeekRollover:
    """Checks every `interval` seconds (a new week is noticed within that)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        clock: Clock,
        sink: ChangeSink,
        interval: float,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.pool, self.clock, self.sink = pool, clock, sink
        self._rounds = PeriodicTask("week-rollover", self._round, interval=interval, registry=registry)

    async def run_once(self) -> int:
        total = 0
        while True:
            async with self.pool.acquire() as conn:
                done = await roll_over(conn, clock=self.clock, sink=self.sink)
            total += done
            if done == 0:
                return total

    async def start(self) -> None:
        await self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def _round(self) -> None:
        if announced := await self.run_once():
            log.info("announced the new week's places", extra={"services": announced})
