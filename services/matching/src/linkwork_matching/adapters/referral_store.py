"""Referrals matching has seen and the one suggestion set it made for each version."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from linkwork_contracts.events import MatchesSuggestedV1, ReferralCreatedV1


async def save_referral(connection: asyncpg.Connection, event: ReferralCreatedV1) -> bool:
    """Keep the referral unless a later version is held; False means this version is stale."""
    stored = await connection.fetchval(
        "INSERT INTO referrals (referral_id, version, pcn_code, event) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (referral_id) DO UPDATE SET version = EXCLUDED.version, "
        "pcn_code = EXCLUDED.pcn_code, event = EXCLUDED.event, updated_at = now() "
        "WHERE referrals.version <= EXCLUDED.version RETURNING 1",
        event.referral_id,
        event.version,
        event.pcn_code,
        event.model_dump(mode="json"),
    )
    return stored is not None


async def referral(connection: asyncpg.Connection | asyncpg.Pool, referral_id: UUID) -> ReferralCreatedV1 | None:
    data = await connection.fetchval("SELECT event FROM referrals WHERE referral_id = $1", referral_id)
    return None if data is None else ReferralCreatedV1.model_validate(data)


async def has_suggestions(connection: asyncpg.Connection, referral_id: UUID, version: int) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM suggestion_sets WHERE referral_id = $1 AND referral_version = $2)",
            referral_id,
            version,
        )
    )


async def save_suggestions(connection: asyncpg.Connection, event: MatchesSuggestedV1) -> bool:
    """Record the set; False if one already exists for this referral version (then emit nothing)."""
    stored = await connection.fetchval(
        "INSERT INTO suggestion_sets (referral_id, referral_version, suggested_at, payload) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
        event.referral_id,
        event.referral_version,
        event.suggested_at,
        event.model_dump(mode="json"),
    )
    return stored is not None


async def latest_suggestions(
    connection: asyncpg.Connection | asyncpg.Pool,
    referral_id: UUID,
) -> tuple[str, dict[str, Any]] | None:
    """The PCN of the referral and its newest suggestion set, if any."""
    row = await connection.fetchrow(
        "SELECT r.pcn_code, s.payload FROM suggestion_sets s JOIN referrals r USING (referral_id) "
        "WHERE s.referral_id = $1 ORDER BY s.referral_version DESC LIMIT 1",
        referral_id,
    )
    return None if row is None else (row["pcn_code"], row["payload"])


async def count_suggestion_sets(connection: asyncpg.Connection | asyncpg.Pool, referral_id: UUID) -> int:
    value: int = await connection.fetchval("SELECT count(*) FROM suggestion_sets WHERE referral_id = $1", referral_id)
    return value
