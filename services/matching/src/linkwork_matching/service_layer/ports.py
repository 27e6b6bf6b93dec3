"""Ports of matching's use cases, owned by the service layer; the asyncpg adapters are adapters/match_store.py.

Protocols, so the matching rules (one suggestion set per referral version, stale versions ignored, gaps
observed) are unit-tested against in-memory fakes (services/matching/tests/matching_fakes.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from linkwork_contracts.events import MatchesSuggestedV1, ReferralCreatedV1

from linkwork_matching.adapters.gap_store import GapObservation


class MatchingStore(Protocol):
    """What matching one referral may do, all inside the consumer's transaction for that record."""

    async def save_referral(self, event: ReferralCreatedV1) -> bool:
        """Keep the referral unless a later version is held; False means this version is stale."""
        ...

    async def has_suggestions(self, referral_id: UUID, version: int) -> bool: ...

    async def save_suggestions(self, message: MatchesSuggestedV1) -> bool:
        """Record the set; False if one already exists for this referral version."""
        ...

    async def publish(self, message: MatchesSuggestedV1) -> None:
        """Add the message to the outbox, sent once the transaction commits."""
        ...

    async def record_gaps(
        self, referral_id: UUID, version: int, observations: list[GapObservation], now: datetime
    ) -> None: ...


class ReferralReader(Protocol):
    """The reads behind the HTTP routes."""

    async def referral(self, referral_id: UUID) -> ReferralCreatedV1 | None: ...

    async def latest_suggestions(self, referral_id: UUID) -> tuple[str, dict[str, Any]] | None:
        """The referral's PCN and its newest suggestion set, if any."""
        ...
