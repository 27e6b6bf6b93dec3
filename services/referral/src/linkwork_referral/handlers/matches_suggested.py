"""matches-suggested: keep the latest suggestions for each referral."""

from __future__ import annotations

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import MatchesSuggestedV1

from linkwork_referral.service_layer import suggestions
from linkwork_referral.service_layer.ports import ConsumerTransaction, ReferralUnitOfWork


class MatchesSuggestedHandler:
    def __init__(self, referrals: ReferralUnitOfWork) -> None:
        self._referrals = referrals

    async def __call__(self, event: MatchesSuggestedV1, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        # Within the consumer's inbox transaction, so the suggestions commit with the event's receipt.
        session = self._referrals.joining(transaction)
        await suggestions.store(event, envelope, await session.suggestions())
