"""The waiting_entry table (migration 009): one row per person queuing for a service, no person data.

Callers hold the transaction. Updates only move an entry forward (waiting -> started or left), so a
redelivered or late event can never undo a start.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.domain.waiting_list import EntrySource, EntryStatus
from linkwork_directory.service_layer.ports import QueuedEntry, StoredEntry


async def owner_of(conn: Connection, service_id: UUID) -> tuple[bool, str | None]:
    """Whether the service exists, and its organization id (canonical text) if it has one."""
    row = await conn.fetchrow("SELECT organization_id::text AS org FROM service WHERE id = $1", service_id)
    return (row is not None, row["org"] if row is not None else None)


async def services_of(conn: Connection, organization_id: UUID) -> list[tuple[UUID, str]]:
    rows = await conn.fetch(
        "SELECT id, name FROM service WHERE organization_id = $1 ORDER BY name, id", organization_id
    )
    return [(row["id"], row["name"]) for row in rows]


async def queue(conn: Connection, service_id: UUID) -> list[QueuedEntry]:
    rows = await conn.fetch(
        """SELECT id, joined_at, source, row_number() OVER (ORDER BY joined_at, id) AS position
           FROM waiting_entry WHERE service_id = $1 AND status = 'waiting' ORDER BY joined_at, id""",
        service_id,
    )
    return [QueuedEntry(row["id"], row["position"], row["joined_at"], EntrySource(row["source"])) for row in rows]


async def entry(conn: Connection, entry_id: UUID, *, lock: bool = False) -> StoredEntry | None:
    row = await conn.fetchrow(
        "SELECT service_id, status, joined_at FROM waiting_entry WHERE id = $1" + (" FOR UPDATE" if lock else ""),
        entry_id,
    )
    return None if row is None else StoredEntry(row["service_id"], EntryStatus(row["status"]), row["joined_at"])


async def ahead_of(conn: Connection, entry_id: UUID, stored: StoredEntry) -> int:
    count = await conn.fetchval(
        """SELECT count(*) FROM waiting_entry WHERE service_id = $1 AND status = 'waiting'
             AND (joined_at, id) < ($2, $3)""",
        stored.service_id,
        stored.joined_at,
        entry_id,
    )
    return int(count)


async def insert(conn: Connection, entry_id: UUID, service_id: UUID, source: EntrySource, joined_at: datetime) -> bool:
    """Add a waiting entry; False if that id exists already (its first joining time stands)."""
    added = await conn.fetchval(
        """INSERT INTO waiting_entry (id, service_id, source, joined_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO NOTHING RETURNING id""",
        entry_id,
        service_id,
        source.value,
        joined_at,
    )
    return added is not None


async def mark_started(conn: Connection, entry_id: UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE waiting_entry SET status = 'started', started_at = $2 WHERE id = $1 AND status = 'waiting'",
        entry_id,
        at,
    )


async def mark_left(conn: Connection, entry_id: UUID, at: datetime, reason: str) -> None:
    await conn.execute(
        """UPDATE waiting_entry SET status = 'left', left_at = $2, left_reason = $3
           WHERE id = $1 AND status = 'waiting'""",
        entry_id,
        at,
        reason,
    )


async def set_capacity(conn: Connection, service_id: UUID, places_per_week: int | None, waiting_list: bool) -> None:
    await conn.execute(
        "UPDATE service_extension SET places_per_week = $2, waiting_list = $3 WHERE service_id = $1",
        service_id,
        places_per_week,
        waiting_list,
    )
