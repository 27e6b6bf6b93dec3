"""referral-created: the consumer's entry point to the match-a-referral use case (service_layer/match_referral.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ReferralCreatedV1

from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.service_layer.match_referral import MatchReferral
from linkwork_matching.service_layer.ports import ConsumerTransaction, MatchCounts, MatchingUnitOfWork


class ReferralMatcher:
    def __init__(
        self,
        units: MatchingUnitOfWork,
        ranker: Ranker,
        options_per_need: int,
        ranker_version: str,
        clock: Callable[[], datetime],
        metrics: MatchCounts | None = None,
    ) -> None:
        self._units = units
        self._match = MatchReferral(ranker, options_per_need, ranker_version, clock, metrics)

    async def __call__(self, event: ReferralCreatedV1, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        # Within the consumer's inbox transaction, so the suggestions and their outbox row commit with the
        # event's receipt.
        await self._match(event, self._units.joining(transaction).referrals)
