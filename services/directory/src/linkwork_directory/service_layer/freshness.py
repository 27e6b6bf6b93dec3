"""Stale services: the review queue and the Prometheus gauge that counts them."""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry, Gauge

from linkwork_directory.adapters.review_store import PostgresReviewStore
from linkwork_directory.domain.freshness import Clock, DueForReview, review_cutoff
from linkwork_directory.service_layer.ports import ReviewStore

log = logging.getLogger(__name__)

__all__ = ["DueForReview", "StaleServicesGauge", "count_due", "review_queue"]


async def review_queue(
    store: ReviewStore, *, now: datetime, months: int, limit: int, offset: int
) -> tuple[list[DueForReview], int]:
    """Services due for review, least recently verified (never verified) first, and how many in all."""
    cutoff = review_cutoff(now, months)
    due = await store.due_for_review(cutoff=cutoff, limit=limit, offset=offset)
    return due, await store.count_due(cutoff=cutoff)


async def count_due(store: ReviewStore, *, now: datetime, months: int) -> int:
    return await store.count_due(cutoff=review_cutoff(now, months))


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
