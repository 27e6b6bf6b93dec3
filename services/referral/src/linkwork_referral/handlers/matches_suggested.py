"""matches-suggested: keep the latest suggestions for each referral."""

from __future__ import annotations

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import MatchesSuggestedV1

from linkwork_referral.adapters.suggestion_store import PostgresSuggestionStore
from linkwork_referral.service_layer import suggestions


async def on_matches_suggested(event: MatchesSuggestedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    # The store works within the consumer's inbox transaction, so the suggestions commit with the event's receipt.
    await suggestions.store(event, envelope, PostgresSuggestionStore(connection))
