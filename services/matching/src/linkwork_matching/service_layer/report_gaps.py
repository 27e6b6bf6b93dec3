"""Reporting gaps in provision: one provision-gap event per area and need that is due under the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from linkwork_matching.domain.gaps import GapPolicy
from linkwork_matching.service_layer.ports import GapReportStore


@dataclass(frozen=True)
class ReportGaps:
    policy: GapPolicy
    clock: Callable[[], datetime]

    async def __call__(self, store: GapReportStore) -> int:
        """Emit every due report (through the outbox) and forget what no report needs; returns how many."""
        now = self.clock()
        reported = 0
        for gap in await store.claim_open_gaps():
            if self.policy.due(gap.tally, now):
                await store.publish(store.report_for(gap.tally, now))
                await store.mark_reported(gap, now)
                reported += 1
        # Twice the period: an observation may still count towards the next report until then.
        await store.prune(2 * self.policy.report_interval, now)
        return reported
