"""SQL of planned follow-ups falling due: claimed under a row lock, then marked due or quarantined.

`PostgresFollowUps` is the `FollowUpUnitOfWork` port (service_layer/ports.py): one pooled connection and
transaction per round of the scheduler."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from linkwork_contracts.events import FollowUpDueV1
from linkwork_runtime import messaging

from linkwork_referral.adapters.outgoing import follow_up_due
from linkwork_referral.adapters.timeline import TimelineWriter
from linkwork_referral.adapters.transactions import PooledUnitOfWork

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


class PostgresFollowUpSession(TimelineWriter):
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def claim_due(self, limit: int) -> tuple[list[dict[str, Any]], datetime]:
        return await claim_due(self._connection, limit)

    def event_for(self, row: dict[str, Any]) -> FollowUpDueV1:
        return follow_up_due(row)

    async def quarantine(self, follow_up_id: UUID, reason: str) -> None:
        await quarantine(self._connection, follow_up_id, reason)

    async def emit(self, event: FollowUpDueV1, source: str) -> None:
        await messaging.add(self._connection, event, source=source)

    async def mark_due(self, follow_up_ids: list[UUID]) -> None:
        await mark_due(self._connection, follow_up_ids)


class PostgresFollowUps(PooledUnitOfWork[PostgresFollowUpSession]):
    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, PostgresFollowUpSession)
