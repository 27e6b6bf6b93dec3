"""The periodic entry point to reporting gaps in provision (service_layer/report_gaps.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_matching.adapters.match_store import PostgresGapReportStore
from linkwork_matching.adapters.metrics import MatchingMetrics
from linkwork_matching.domain.gaps import GapPolicy
from linkwork_matching.service_layer.report_gaps import ReportGaps

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
        self._report = ReportGaps(policy, clock)
        self._source = source
        self._metrics = metrics
        self._rounds = PeriodicTask(
            "gap-reporter", self._round, interval=interval, run_at_start=False, registry=registry
        )

    async def report_once(self) -> int:
        """Emit (through the outbox) every due gap report; returns how many."""
        async with self._pool.acquire() as connection, connection.transaction():
            reported = await self._report(PostgresGapReportStore(connection, self._source))
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
