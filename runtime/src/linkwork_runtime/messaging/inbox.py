"""The inbox: which events a consumer has already applied, recorded in the same transaction as the effects."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

# CloudEvents ids are unique per source, so an event is known by both.
EventKey = tuple[str, str]  # (source, id)

_CLAIM = """
INSERT INTO inbox (consumer, source, event_id)
SELECT $1, source, event_id FROM unnest($2::text[], $3::text[]) AS k(source, event_id)
ON CONFLICT DO NOTHING
RETURNING source, event_id
"""
_UNCLAIM = """
DELETE FROM inbox WHERE consumer = $1
AND (source, event_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
"""


async def claim(connection: asyncpg.Connection, consumer: str, keys: Sequence[EventKey]) -> set[EventKey]:
    """Record the events `keys` as applied by `consumer`; return those not recorded before.

    Must run in the transaction that applies them. If another process is applying the same event right
    now (a rebalance hand-over), this waits for its transaction and then reports the event as not new.
    """
    if not keys:
        return set()
    rows = await connection.fetch(_CLAIM, consumer, [k[0] for k in keys], [k[1] for k in keys])
    return {(row[0], row[1]) for row in rows}


async def unclaim(connection: asyncpg.Connection, consumer: str, keys: Sequence[EventKey]) -> None:
    await connection.execute(_UNCLAIM, consumer, [k[0] for k in keys], [k[1] for k in keys])


async def applied(connection: asyncpg.Connection, consumer: str, source: str, event_id: str) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $1 AND source = $2 AND event_id = $3)",
            consumer,
            source,
            event_id,
        )
    )
