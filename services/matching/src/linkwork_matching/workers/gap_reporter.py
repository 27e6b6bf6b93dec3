"""Reports gaps in provision: one provision-gap event per area and need that is due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg
from linkwork_runtime import messaging

from linkwork_matching.adapters import gap_store
from linkwork_matching.adapters.outbound import provision_gap
from linkwork_matching.domain.gaps import GapPolicy
from linkwork_matching.observability import MatchingMetrics

log = logging.getLogger(__name__)


class GapReporter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        policy: GapPolicy,
        *,
        source: str,
        interval: float,
        clock: Callable[[], datetime],
        metrics: MatchingMetrics | None = None,
    ) -> None:
        self._pool = pool
        self._policy = policy
        self._source = source
        self._interval = interval
        self._clock = clock
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None

    async def report_once(self) -> int:
        """Emit (through the outbox) every due gap report; returns how many."""
        reported = 0
        async with self._pool.acquire() as connection, connection.transaction():
            now = self._clock()
            for gap in await gap_store.claim_open_gaps(connection):
                if self._policy.due(gap.tally, now):
                    await messaging.add(connection, provision_gap(gap.tally, now), source=self._source)
                    await gap_store.mark_reported(connection, gap, now)
                    reported += 1
            await gap_store.prune(connection, 2 * self._policy.report_interval, now)
        if self._metrics is not None:
            self._metrics.gap_reports.inc(reported)
        return reported

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="matching-gap-reporter")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                if count := await self.report_once():
                    log.info("reported gaps in provision", extra={"reports": count})
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("gap report failed, will retry: %r", error)
