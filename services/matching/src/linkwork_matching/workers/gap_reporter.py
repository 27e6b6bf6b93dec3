"""Reports gaps in provision: one provision-gap event per area and need that is due."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg
from linkwork_runtime import messaging
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

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
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._pool = pool
        self._policy = policy
        self._source = source
        self._clock = clock
        self._metrics = metrics
        self._rounds = PeriodicTask(
            "gap-reporter", self._round, interval=interval, run_at_start=False, registry=registry
        )

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
        await self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def _round(self) -> None:
        if count := await self.report_once():
            log.info("reported gaps in provision", extra={"reports": count})
