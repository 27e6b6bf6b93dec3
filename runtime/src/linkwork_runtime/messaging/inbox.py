"""The inbox: which events a consumer has already applied, recorded in the same transaction as the effects."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

_CLAIM = """
INSERT INTO inbox (consumer, event_id)
SELECT $1, event_id FROM unnest($2::text[]) AS event_id
ON CONFLICT DO NOTHING
RETURNING event_id
"""


async def claim(connection: asyncpg.Connection, consumer: str, event_ids: Sequence[str]) -> set[str]:
    """Record `event_ids` as applied by `consumer`; return those not recorded before.

    Must run in the transaction that applies them. If another process is applying the same event right
    now (a rebalance hand-over), this waits for its transaction and then reports the event as not new.
    """
    if not event_ids:
        return set()
    rows = await connection.fetch(_CLAIM, consumer, list(event_ids))
    return {row[0] for row in rows}


async def applied(connection: asyncpg.Connection, consumer: str, event_id: str) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2)", consumer, event_id
        )
    )
