"""matches-suggested: keep the latest suggestions for each referral."""

from __future__ import annotations

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import MatchesSuggestedV1

from linkwork_referral.service_layer import suggestions


async def on_matches_suggested(event: MatchesSuggestedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    await suggestions.store(event, envelope, connection)
