"""The `linkwork_directory_stale_services` gauge, recounted periodically (the count is service_layer/freshness.py)."""

from __future__ import annotations

import asyncpg
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry, Gauge

from linkwork_directory.adapters.review_store import PostgresReviewStore
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.service_layer.freshness import count_due


class StaleServicesGauge:
    """Keeps `linkwork_directory_stale_services` current: recounted every interval and after changes."""

    def __init__(
        self, pool: asyncpg.Pool, registry: CollectorRegistry, *, clock: Clock, months: int, interval: float
    ) -> None:
        self.pool, self.clock, self.months = pool, clock, months
        self.gauge = Gauge(
            "linkwork_directory_stale_services",
            "Services not withdrawn whose details have not been verified within the review period",
            registry=registry,
        )
        self._rounds = PeriodicTask(
            "stale-services-gauge", self._round, interval=interval, run_at_start=False, registry=registry
        )

    async def refresh(self) -> int:
        async with self.pool.acquire() as conn:
            count = await count_due(PostgresReviewStore(conn), now=self.clock.now(), months=self.months)
        self.gauge.set(count)
        return count

    async def start(self) -> None:
        await self.refresh()
        await self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def _round(self) -> None:
        await self.refresh()
