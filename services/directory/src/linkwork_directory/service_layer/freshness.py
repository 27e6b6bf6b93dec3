"""Stale services: the review queue, and how many are due as the `linkwork_directory_stale_services` gauge shows it.

`StaleServicesGauge` recounts through the `ReviewStores` port and shows the count through `StaleCount`
(service_layer/ports.py): a store on a borrowed connection (adapters/review_store.py) and the Prometheus gauge
(adapters/metrics.py) in production, the in-memory fakes in the unit tests. workers/stale_services.py counts once
at start-up and then every `stale_gauge_seconds`; the curation and provider routes recount after a change.
"""

from __future__ import annotations

import logging
from datetime import datetime

from linkwork_directory.domain.freshness import Clock, DueForReview, review_cutoff
from linkwork_directory.service_layer.ports import ReviewStore, ReviewStores, StaleCount

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
    """Keeps the count of services due for review current: recounted every round and after changes."""

    def __init__(self, stores: ReviewStores, gauge: StaleCount, *, clock: Clock, months: int) -> None:
        self._stores, self._gauge, self._clock, self._months = stores, gauge, clock, months

    async def refresh(self) -> int:
        async with self._stores() as store:
            count = await count_due(store, now=self._clock.now(), months=self._months)
        self._gauge.set(count)
        return count

    async def next_round(self) -> float | None:
        """One round as workers/stale_services.py runs it; the next one after the interval."""
        await self.refresh()
        return None
