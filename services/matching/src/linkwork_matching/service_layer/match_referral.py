"""Matching a referral: rank services for the referral's version and say so, exactly once per version."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from linkwork_contracts.events import ReferralCreatedV1

from linkwork_matching.domain.gaps import GapObservation
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.service_layer.ports import MatchCounts, MatchingStore


@dataclass
class MatchReferral:
    ranker: Ranker
    options_per_need: int
    ranker_version: str
    clock: Callable[[], datetime]
    metrics: MatchCounts | None = None

    async def __call__(self, event: ReferralCreatedV1, store: MatchingStore) -> bool:
        """Match this version; False when there was nothing to do (stale, or matched already)."""
        if not await store.save_referral(event):
            return False  # a newer version has been matched already
        # The inbox stops a redelivered message; this stops the same version published twice
        # under two event ids (a producer retry), which the inbox cannot recognise.
        if await store.has_suggestions(event.referral_id, event.version):
            return False
        person = store.person_of(event)
        started = time.perf_counter()
        suggestions = self.ranker.suggest(person, per_need=self.options_per_need)
        elapsed = time.perf_counter() - started
        now = self.clock()
        message = store.suggestions_message(
            event, person, suggestions, suggested_at=now, ranker_version=self.ranker_version
        )
        if not await store.save_suggestions(message):
            return False
        await store.publish(message)
        if self.metrics is not None:
            # Counted before commit: a rolled-back batch is retried and counted again, so these
            # are attempts, which is what an operator watching load wants anyway.
            self.metrics.rank_seconds.labels("event").observe(elapsed)
            self.metrics.suggestion_sets.inc()
            for need in suggestions.gaps:
                self.metrics.unmet_needs.labels(need.value).inc()
        if person.postcode_district is not None:
            observations = [
                GapObservation(
                    n.need, person.postcode_district, n.eligible_services == 0, n.nearest_beyond_reach_km, n.gap_reason
                )
                for n in suggestions.needs
            ]
            await store.record_gaps(event.referral_id, event.version, observations, now)
        return True
