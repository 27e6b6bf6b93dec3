"""SQL of planned follow-ups falling due: claimed under a row lock, then marked due or quarantined."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

# A referral on hold keeps its follow-ups pending; they are emitted once it is resumed.
_CLAIM = """
SELECT f.id, f.referral_id, f.sequence, f.kind, f.due_on, r.person_ref, r.pcn, r.link_worker
FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
WHERE f.state = 'pending' AND f.due_at <= now() AND r.state <> 'on-hold'
ORDER BY f.due_at, f.id
LIMIT $1
FOR UPDATE OF f SKIP LOCKED
"""


async def claim_due(connection: asyncpg.Connection, limit: int) -> tuple[list[dict[str, Any]], datetime]:
    """Up to `limit` due follow-ups, locked until the caller's transaction ends (so two replicas never claim
    the same row), and the database's time; the rows carry what a follow-up-due event needs."""
    rows = await connection.fetch(_CLAIM, limit)
    now: datetime = await connection.fetchval("SELECT now()")
    return [dict(row) for row in rows], now


async def mark_due(connection: asyncpg.Connection, follow_up_ids: Sequence[UUID]) -> None:
    await connection.execute(
        "UPDATE follow_ups SET state = 'due', emitted_at = now() WHERE id = ANY($1::uuid[])", list(follow_up_ids)
    )


async def quarantine(connection: asyncpg.Connection, follow_up_id: UUID, reason: str) -> None:
    await connection.execute(
        "UPDATE follow_ups SET state = 'quarantined', quarantine_reason = $2 WHERE id = $1", follow_up_id, reason
    )
