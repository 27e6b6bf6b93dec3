"""referral-created: the consumer's entry point to the match-a-referral use case (service_layer/match_referral.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ReferralCreatedV1

from linkwork_matching.adapters.match_store import PostgresMatchingStore
from linkwork_matching.adapters.metrics import MatchingMetrics
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.service_layer.match_referral import MatchReferral


class ReferralMatcher:
    def __init__(
        self,
        ranker: Ranker,
        options_per_need: int,
        ranker_version: str,
        source: str,
        clock: Callable[[], datetime],
        metrics: MatchingMetrics | None = None,
    ) -> None:
        self._match = MatchReferral(ranker, options_per_need, ranker_version, clock, metrics)
        self._source = source

    async def __call__(self, event: ReferralCreatedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        await self._match(event, PostgresMatchingStore(connection, self._source))
