"""In-memory stand-ins for matching's ports (service_layer/ports.py), for use-case tests in milliseconds.

The asyncpg adapters (adapters/match_store.py) keep their integration tests against PostgreSQL; these fakes
only have to keep the ports' promises.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from linkwork_contracts.events import MatchesSuggestedV1, ReferralCreatedV1
from linkwork_matching.adapters.gap_store import GapObservation


class FakeMatchingStore:
    def __init__(self) -> None:
        self.referrals: dict[UUID, ReferralCreatedV1] = {}
        self.suggestion_sets: dict[tuple[UUID, int], MatchesSuggestedV1] = {}
        self.outbox: list[MatchesSuggestedV1] = []
        self.gaps: list[tuple[UUID, int, GapObservation]] = []

    async def save_referral(self, event: ReferralCreatedV1) -> bool:
        held = self.referrals.get(event.referral_id)
        if held is not None and held.version > event.version:
            return False
        self.referrals[event.referral_id] = event
        return True

    async def has_suggestions(self, referral_id: UUID, version: int) -> bool:
        return (referral_id, version) in self.suggestion_sets

    async def save_suggestions(self, message: MatchesSuggestedV1) -> bool:
        key = (message.referral_id, message.referral_version)
        if key in self.suggestion_sets:
            return False
        self.suggestion_sets[key] = message
        return True

    async def publish(self, message: MatchesSuggestedV1) -> None:
        self.outbox.append(message)

    async def record_gaps(
        self, referral_id: UUID, version: int, observations: list[GapObservation], now: datetime
    ) -> None:
        self.gaps.extend((referral_id, version, o) for o in observations)

    # The reads, so that one fake serves both ports.
    async def referral(self, referral_id: UUID) -> ReferralCreatedV1 | None:
        return self.referrals.get(referral_id)

    async def latest_suggestions(self, referral_id: UUID) -> tuple[str, dict[str, Any]] | None:
        versions = [v for r, v in self.suggestion_sets if r == referral_id]
        if not versions:
            return None
        latest = self.suggestion_sets[referral_id, max(versions)]
        return self.referrals[referral_id].pcn_code, latest.model_dump(mode="json")
