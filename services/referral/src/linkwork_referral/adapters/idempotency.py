"""SQL of the Idempotency-Key table: which (subject, key) already made which referral, for which request."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from linkwork_referral.service_layer.ports import EarlierRequest


async def claim(connection: asyncpg.Connection, subject: str, key: str, request_hash: str, referral_id: UUID) -> bool:
    """Claim the key for this referral; False when another request with it committed first."""
    claimed = await connection.fetchval(
        """INSERT INTO idempotency_keys (subject, key, request_hash, referral_id)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true""",
        subject,
        key,
        request_hash,
        referral_id,
    )
    return bool(claimed)


async def find(connection: asyncpg.Connection, subject: str, key: str) -> EarlierRequest | None:
    row = await connection.fetchrow(
        "SELECT request_hash, referral_id FROM idempotency_keys WHERE subject = $1 AND key = $2", subject, key
    )
    return None if row is None else EarlierRequest(row["request_hash"], row["referral_id"])
