"""SQL of the suggestions matching sent: one row per referral, the highest referral version (latest within it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from linkwork_contracts.events import MatchesSuggestedV1


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
