"""The projector as a background component of the running service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from linkwork_outcomes.service_layer.ports import ProjectionCounts, ProjectionStore
from linkwork_outcomes.service_layer.projection import project_pending

log = logging.getLogger(__name__)


class Projector:
    """Projects pending referrals in batches: straight on while there is a backlog, else every `interval`."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        store_for: Callable[[asyncpg.Connection], ProjectionStore],
        metrics: ProjectionCounts,
        *,
        interval: float,
        batch_size: int,
    ) -> None:
        # store_for: the projection port over one of the pool's connections (adapters/projection_store.py).
        self._pool, self._store_for, self._metrics = pool, store_for, metrics
        self._interval, self._batch_size = interval, batch_size
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outcomes-projector")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    def _failed(self, referral_id: str, reason: str) -> None:
        self._metrics.summaries_failed.inc()
        log.error("projector: summary of referral %s set aside: %s", referral_id, reason)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            done = 0
            try:
                with self._metrics.projection_seconds.time():
                    async with self._pool.acquire() as connection:
                        store = self._store_for(connection)
                        done = await project_pending(store, self._batch_size, self._failed)
                self._metrics.projected.inc(done)
                failures = 0
            except Exception as error:  # the database may be restarting: back off and carry on
                failures += 1
                log.warning("projector: batch failed (%d in a row): %r", failures, error)
            if done >= self._batch_size:
                continue
            delay = self._interval if failures == 0 else min(30.0, self._interval * 2**failures)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
