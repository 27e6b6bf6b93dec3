"""Reading the `service_at_location` links on their own, without loading the whole service."""

from __future__ import annotations

from uuid import UUID

from linkwork_directory.adapters.service_reader import Connection


async def ends_of(conn: Connection, link_id: UUID) -> tuple[UUID, UUID] | None:
    """The (service id, location id) a link joins, or None when there is no such link."""
    row = await conn.fetchrow("SELECT service_id, location_id FROM service_at_location WHERE id = $1", link_id)
    return (row["service_id"], row["location_id"]) if row else None


async def links_of(conn: Connection, service_id: str) -> list[dict[str, str]]:
    """The service's links in their order, as ORUK references `{"id", "location_id"}` in canonical text.
    `service_id` is as a record gave it: compared as text, so one that is not a UUID finds nothing."""
    rows = await conn.fetch(
        "SELECT id::text, location_id::text FROM service_at_location WHERE service_id::text = $1 ORDER BY position",
        service_id,
    )
    return [{"id": r["id"], "location_id": r["location_id"]} for r in rows]
