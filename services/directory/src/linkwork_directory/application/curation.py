"""A curator's changes to one service: save (create or update), withdraw, verify."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from linkwork_directory.adapters import service_reader as reader
from linkwork_directory.adapters.service_reader import Connection, Loaded
from linkwork_directory.application.changes import Applied, ChangeSink, announce, apply_service
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.errors import UnknownService
from linkwork_directory.domain.oruk import Service


async def load(conn: Connection, service_id: UUID, now: datetime) -> Loaded:
    found = (await reader.load_services(conn, [service_id], week=week_starting(now))).get(service_id)
    if found is None:
        raise UnknownService(service_id)
    return found


async def save(conn: Connection, incoming: Service, *, now: datetime, sink: ChangeSink) -> tuple[Applied, Loaded]:
    async with conn.transaction():
        applied = await apply_service(conn, incoming, now=now, sink=sink)
        return applied, await load(conn, incoming.id, now)


async def withdraw(conn: Connection, service_id: UUID, *, reason: str, now: datetime, sink: ChangeSink) -> Loaded:
    """Stop offering the service: ORUK status inactive, and a final snapshot with status withdrawn."""
    async with conn.transaction():
        current = await load(conn, service_id, now)
        if current.state.withdrawn_at is None:
            await conn.execute("UPDATE service SET status = 'inactive' WHERE id = $1", service_id)
            await conn.execute(
                "UPDATE service_extension SET withdrawn_at = $2, withdrawal_reason = $3 WHERE service_id = $1",
                service_id,
                now,
                reason,
            )
            await announce(conn, [service_id], sink, now, stamp=[service_id])
        return await load(conn, service_id, now)


async def verify(conn: Connection, service_id: UUID, *, by: str, now: datetime, sink: ChangeSink) -> Loaded:
    """A curator confirmed the details: the review clock restarts and ORUK's assured_date moves."""
    async with conn.transaction():
        await load(conn, service_id, now)
        await conn.execute(
            "UPDATE service_extension SET last_verified_at = $2, verified_by = $3 WHERE service_id = $1",
            service_id,
            now,
            by,
        )
        await conn.execute("UPDATE service SET assured_date = $2 WHERE id = $1", service_id, now.date())
        await announce(conn, [service_id], sink, now, stamp=[service_id])
        return await load(conn, service_id, now)
