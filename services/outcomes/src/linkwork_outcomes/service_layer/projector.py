"""The projector's use case: one batch of pending referrals per round (workers/projector.py runs the rounds)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import asyncpg

from linkwork_outcomes.service_layer.ports import ProjectionCounts, ProjectionStore
from linkwork_outcomes.service_layer.projection import project_pending

log = logging.getLogger(__name__)


class Projector:
    """Projects pending referrals in batches: straight on while there is a backlog, else every interval."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        store_for: Callable[[asyncpg.Connection], ProjectionStore],
        metrics: ProjectionCounts,
        *,
        batch_size: int,
    ) -> None:
        # store_for: the projection port over one of the pool's connections (adapters/projection_store.py).
        self._pool, self._store_for, self._metrics, self._batch_size = pool, store_for, metrics, batch_size

    def _failed(self, referral_id: str, reason: str) -> None:
        self._metrics.summaries_failed.inc()
        log.error("projector: summary of referral %s set aside: %s", referral_id, reason)

    async def run_once(self) -> int:
        """Project one batch of pending referrals; returns how many."""
        with self._metrics.projection_seconds.time():
            async with self._pool.acquire() as connection:
                done = await project_pending(self._store_for(connection), self._batch_size, self._failed)
        self._metrics.projected.inc(done)
        return done

    async def next_round(self) -> float | None:
        """One round as workers/projector.py runs it; returns the delay before the next one (None: the interval)."""
        # A full batch means more may be pending: carry on at once; otherwise wait the poll interval.
        return 0.0 if await self.run_once() >= self._batch_size else None
