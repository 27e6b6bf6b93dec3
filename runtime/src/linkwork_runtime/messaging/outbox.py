"""Record events in the outbox table, inside the caller's transaction.

Call `add` with the same connection, inside the same transaction, as the state change that causes the
event: both commit or neither does. The relay (relay.py) publishes the rows afterwards.

Commit order per key: before inserting, `add` takes a transaction-scoped advisory lock on the event's
topic and key. Two transactions recording events for the same key therefore serialise from that point
until commit, so the later one also gets the larger outbox id, and the relay (which publishes in id
order) publishes same-key events in commit order. Recording events for several keys in one transaction
takes several locks; two such transactions taking them in opposite orders would deadlock, which
PostgreSQL resolves by failing one with a retryable error (`add_many` sorts to avoid it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import asyncpg
from linkwork_contracts.envelope import CONTENT_TYPE, encode, wrap
from linkwork_contracts.events import Event

_INSERT = """
INSERT INTO outbox (event_id, topic, key, value, headers)
SELECT $1, $2, $3, $4, $5
FROM pg_advisory_xact_lock(hashtextextended($2 || chr(31) || $3, 0))
"""


def _row(
    event: Event, source: str, headers: Mapping[str, str] | None, event_id: str | None
) -> tuple[str, str, str, bytes, dict[str, str]]:
    envelope = wrap(event, source=source, event_id=event_id)
    return (
        str(envelope.id),
        event.TOPIC,
        event.key(),
        encode(envelope),
        {"content-type": CONTENT_TYPE, **(headers or {})},
    )


def row(
    event: Event, *, source: str, headers: Mapping[str, str] | None = None, event_id: str | None = None
) -> tuple[str, str, str, bytes, dict[str, str]]:
    """The outbox row `add` would insert (event_id, topic, key, value, headers), for a caller that folds it into
    a statement of its own; that statement must take the same advisory lock (_INSERT's) before inserting it."""
    return _row(event, source, headers, event_id)


async def add(
    connection: asyncpg.Connection,
    event: Event,
    *,
    source: str,
    headers: Mapping[str, str] | None = None,
    event_id: str | None = None,
) -> str:
    """Record `event` for publication to its topic with its key; return the CloudEvent id."""
    row = _row(event, source, headers, event_id)
    await connection.execute(_INSERT, *row)
    return row[0]


async def add_many(
    connection: asyncpg.Connection,
    events: Iterable[Event],
    *,
    source: str,
    headers: Mapping[str, str] | None = None,
) -> list[str]:
    """Record several events in one round trip; same-key events keep the order given."""
    rows = [_row(event, source, headers, None) for event in events]
    # Lock keys in a fixed order (stable sort keeps each key's own order) so concurrent callers
    # never wait on each other in a cycle.
    ordered = sorted(rows, key=lambda row: (row[1], row[2]))
    await connection.executemany(_INSERT, ordered)
    return [row[0] for row in rows]
