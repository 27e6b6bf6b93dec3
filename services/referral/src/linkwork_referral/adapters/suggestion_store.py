"""SQL of the suggestions matching sent: one row per referral, the highest referral version (latest within it).

`PostgresSuggestionStore` is the `SuggestionStore` port (service_layer/ports.py) over one connection."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from linkwork_contracts.events import MatchesSuggestedV1

from linkwork_referral.adapters.timeline import TimelineWriter


async def save(connection: asyncpg.Connection, event: MatchesSuggestedV1, event_id: str) -> bool:
    """Keep these suggestions unless newer ones are stored; True when they were kept."""
    stored = await connection.fetchval(
        """INSERT INTO suggestions AS s (referral_id, referral_version, suggested_at, event_id, body)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (referral_id) DO UPDATE SET
               referral_version = excluded.referral_version, suggested_at = excluded.suggested_at,
               event_id = excluded.event_id, body = excluded.body, received_at = now()
           WHERE (excluded.referral_version, excluded.suggested_at) > (s.referral_version, s.suggested_at)
           RETURNING true""",
        event.referral_id,
        event.referral_version,
        event.suggested_at,
        event_id,
        event.model_dump(mode="json"),
    )
    return bool(stored)


async def referral_exists(connection: asyncpg.Connection, referral_id: UUID) -> bool:
    return bool(await connection.fetchval("SELECT true FROM referrals WHERE id = $1", referral_id))


async def latest_body(connection: asyncpg.Connection, referral_id: UUID) -> dict[str, Any] | None:
    """The stored matches-suggested as JSON, as the API returns it."""
    body: dict[str, Any] | None = await connection.fetchval(
        "SELECT body FROM suggestions WHERE referral_id = $1", referral_id
    )
    return body


async def latest(connection: asyncpg.Connection, referral_id: UUID) -> MatchesSuggestedV1 | None:
    body = await latest_body(connection, referral_id)
    return None if body is None else MatchesSuggestedV1.model_validate(body)


class PostgresSuggestionStore(TimelineWriter):
    """Works within the caller's transaction on `connection` (the consumer's inbox transaction, or a request's)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def save(self, event: MatchesSuggestedV1, event_id: str) -> bool:
        return await save(self._connection, event, event_id)

    async def referral_exists(self, referral_id: UUID) -> bool:
        return await referral_exists(self._connection, referral_id)

    async def latest(self, referral_id: UUID) -> MatchesSuggestedV1 | None:
        return await latest(self._connection, referral_id)
