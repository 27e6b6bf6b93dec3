"""Reporting gaps in provision: one provision-gap event per area and need that is due under the policy.

Each round (workers/gap_reporter.py runs one every `gap_report_seconds`) is one transaction through the
`GapReports` port (service_layer/ports.py): the asyncpg adapter (adapters/match_store.py) in production, the
in-memory fake in the unit tests. The open gaps it claims stay locked until it commits, so two replicas never
report the same gap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from linkwork_matching.domain.gaps import GapPolicy
from linkwork_matching.service_layer.ports import GapCounts, GapReports

log = logging.getLogger(__name__)


class GapReporter:
    def __init__(
        self,
        gaps: GapReports,
        policy: GapPolicy,
        *,
        clock: Callable[[], datetime],
        metrics: GapCounts | None = None,
    ) -> None:
        self._gaps, self._policy, self._clock, self._metrics = gaps, policy, clock, metrics

    async def report_once(self) -> int:
        """Emit (through the outbox) every due gap report and forget what no report needs; returns how many."""
        async with self._gaps.transaction() as store:
            now = self._clock()
            reported = 0
            for gap in await store.claim_open_gaps():
                if self._policy.due(gap.tally, now):
                    await store.publish(store.report_for(gap.tally, now))
                    await store.mark_reported(gap, now)
                    reported += 1
            # Twice the period: an observation may still count towards the next report until then.
            await store.prune(2 * self._policy.report_interval, now)
        if self._metrics is not None:
            self._metrics.gap_reports.inc(reported)
        return reported

    async def next_round(self) -> float | None:
        """One round as workers/gap_reporter.py runs it; the next one after the interval."""
        if count := await self.report_once():
            log.info("reported gaps in provision", extra={"reports": count})
        return None
