"""A service's waiting list and capacity as its provider (or the events of activity referrals) change them.

Every change runs in one transaction with the `service-changed` snapshot it causes, like any other
change to a service. Changes are idempotent, so an event read twice or a form sent twice does no harm:
joining twice keeps the first joining time, and an entry only moves forward (waiting -> started or
left; a start is never undone by a late "left").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from linkwork_directory.adapters.service_reader import Connection, Loaded
from linkwork_directory.application.changes import ChangeSink, announce
from linkwork_directory.application.curation import load
from linkwork_directory.domain.errors import NotYourService, UnknownEntry, UnknownService
from linkwork_directory.domain.waiting_list import EntrySource, EntryStatus


@dataclass(frozen=True, slots=True)
class QueuedEntry:
    id: UUID
    position: int  # 1 is next to start
    joined_at: datetime
    source: EntrySource


@dataclass(frozen=True, slots=True)
class OwnService:
    id: UUID
    name: str


async def check_owner(conn: Connection, service_id: UUID, organisation: str | None) -> None:
    """Providers manage only their own organisation's services; `None` (a curator) manages any."""
    owner = await conn.fetchval("SELECT organization_id::text FROM service WHERE id = $1", service_id)
    if owner is None and not await conn.fetchval("SELECT 1 FROM service WHERE id = $1", service_id):
        raise UnknownService(service_id)
    if organisation is not None and owner != organisation.lower():
        raise NotYourService(service_id)


async def services_of(conn: Connection, organisation: str) -> list[OwnService]:
    try:
        org = UUID(organisation)
    except ValueError:
        return []  # not a directory organisation id: it owns nothing here
    rows = await conn.fetch("SELECT id, name FROM service WHERE organization_id = $1 ORDER BY name, id", org)
    return [OwnService(row["id"], row["name"]) for row in rows]


async def queue(conn: Connection, service_id: UUID) -> list[QueuedEntry]:
    rows = await conn.fetch(
        """SELECT id, joined_at, source, row_number() OVER (ORDER BY joined_at, id) AS position
           FROM waiting_entry WHERE service_id = $1 AND status = 'waiting' ORDER BY joined_at, id""",
        service_id,
    )
    return [QueuedEntry(row["id"], row["position"], row["joined_at"], EntrySource(row["source"])) for row in rows]


async def position(conn: Connection, entry_id: UUID) -> tuple[UUID, int | None, EntryStatus] | None:
    """The entry's service, its place in the queue (None once it has left the queue) and its status."""
    row = await conn.fetchrow("SELECT service_id, joined_at, status FROM waiting_entry WHERE id = $1", entry_id)
    if row is None:
        return None
    status = EntryStatus(row["status"])
    if status is not EntryStatus.WAITING:
        return row["service_id"], None, status
    ahead = await conn.fetchval(
        """SELECT count(*) FROM waiting_entry WHERE service_id = $1 AND status = 'waiting'
             AND (joined_at, id) < ($2, $3)""",
        row["service_id"],
        row["joined_at"],
        entry_id,
    )
    return row["service_id"], int(ahead) + 1, status


async def join(
    conn: Connection,
    service_id: UUID,
    *,
    source: EntrySource,
    joined_at: datetime,
    now: datetime,
    sink: ChangeSink,
    entry_id: UUID | None = None,
) -> UUID:
    """Put someone on the waiting list (no-op if that entry exists already); returns the entry id."""
    entry = entry_id or uuid4()
    async with conn.transaction():
        added = await conn.fetchval(
            """INSERT INTO waiting_entry (id, service_id, source, joined_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (id) DO NOTHING RETURNING id""",
            entry,
            service_id,
            source.value,
            joined_at,
        )
        if added is not None:
            await announce(conn, [service_id], sink, now)
    return entry


async def _move(
    conn: Connection,
    entry_id: UUID,
    *,
    to: EntryStatus,
    at: datetime,
    now: datetime,
    sink: ChangeSink,
    service_id: UUID | None,
    reason: str | None = None,
) -> bool:
    async with conn.transaction():
        row = await conn.fetchrow("SELECT service_id, status FROM waiting_entry WHERE id = $1 FOR UPDATE", entry_id)
        if row is None or (service_id is not None and row["service_id"] != service_id):
            raise UnknownEntry(entry_id)
        if row["status"] != EntryStatus.WAITING.value:
            return False
        if to is EntryStatus.STARTED:
            await conn.execute(
                "UPDATE waiting_entry SET status = 'started', started_at = $2 WHERE id = $1", entry_id, at
            )
        else:
            await conn.execute(
                "UPDATE waiting_entry SET status = 'left', left_at = $2, left_reason = $3 WHERE id = $1",
                entry_id,
                at,
                reason,
            )
        await announce(conn, [row["service_id"]], sink, now)
        return True


async def start(
    conn: Connection, entry_id: UUID, *, at: datetime, now: datetime, sink: ChangeSink, service_id: UUID | None = None
) -> bool:
    """The person started: off the queue, and counted in the service's throughput. False if already moved."""
    return await _move(conn, entry_id, to=EntryStatus.STARTED, at=at, now=now, sink=sink, service_id=service_id)


async def leave(
    conn: Connection,
    entry_id: UUID,
    *,
    reason: str,
    at: datetime,
    now: datetime,
    sink: ChangeSink,
    service_id: UUID | None = None,
) -> bool:
    """The person will not start (declined, withdrew, removed). False if already moved."""
    return await _move(
        conn, entry_id, to=EntryStatus.LEFT, at=at, now=now, sink=sink, service_id=service_id, reason=reason
    )


async def set_capacity(
    conn: Connection,
    service_id: UUID,
    *,
    places_per_week: int | None,
    waiting_list: bool,
    now: datetime,
    sink: ChangeSink,
) -> Loaded:
    """The provider's own figures: places each week and whether it keeps a waiting list when full."""
    async with conn.transaction():
        current = await load(conn, service_id, now)
        settings = current.state.settings
        if (settings.places_per_week, settings.waiting_list) != (places_per_week, waiting_list):
            await conn.execute(
                "UPDATE service_extension SET places_per_week = $2, waiting_list = $3 WHERE service_id = $1",
                service_id,
                places_per_week,
                waiting_list,
            )
            await announce(conn, [service_id], sink, now, stamp=[service_id])
        return await load(conn, service_id, now)
