"""Curation records in PostgreSQL: the history of each service, merges, dismissed duplicate pairs, and the
row lock that makes a conditional (If-Match) change atomic. Callers hold the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.domain.duplicates import Listing
from linkwork_directory.service_layer.ports import HistoryEntry


async def exists(conn: Connection, service_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT true FROM service WHERE id = $1", service_id))


async def lock_service(conn: Connection, service_id: UUID) -> bool:
    """Hold the service's row until the transaction ends, so a check of its ETag and the write that follows
    cannot interleave with another curator's; False when there is no such service."""
    return bool(await conn.fetchval("SELECT true FROM service WHERE id = $1 FOR UPDATE", service_id))


async def mark_withdrawn(conn: Connection, service_id: UUID, *, at: datetime, reason: str) -> None:
    """ORUK status inactive, and when and why it was withdrawn."""
    await conn.execute("UPDATE service SET status = 'inactive' WHERE id = $1", service_id)
    await conn.execute(
        "UPDATE service_extension SET withdrawn_at = $2, withdrawal_reason = $3 WHERE service_id = $1",
        service_id,
        at,
        reason,
    )


async def mark_verified(conn: Connection, service_id: UUID, *, at: datetime, by: str) -> None:
    """Restart the review clock and move ORUK's assured_date to the day of the check."""
    await conn.execute(
        "UPDATE service_extension SET last_verified_at = $2, verified_by = $3 WHERE service_id = $1",
        service_id,
        at,
        by,
    )
    await conn.execute("UPDATE service SET assured_date = $2 WHERE id = $1", service_id, at.date())


async def record(conn: Connection, entries: Sequence[HistoryEntry]) -> None:
    await conn.executemany(
        "INSERT INTO service_history (service_id, at, actor, action, changes, note, actor_name)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [(e.service_id, e.at, e.actor, e.action, e.changes, e.note, e.actor_name) for e in entries],
    )


async def merged_into(conn: Connection, service_id: UUID) -> UUID | None:
    """Where a merged service's readers go: the service it was merged into, followed to the end."""
    found: UUID | None = await conn.fetchval(
        """WITH RECURSIVE chain(id, depth) AS (
               SELECT into_id, 1 FROM service_merge WHERE merged_id = $1
               UNION ALL SELECT m.into_id, c.depth + 1 FROM service_merge m JOIN chain c ON m.merged_id = c.id
               WHERE c.depth < 50)
           SELECT id FROM chain ORDER BY depth DESC LIMIT 1""",
        service_id,
    )
    return found


async def history(conn: Connection, service_id: UUID, *, limit: int, offset: int) -> tuple[list[HistoryEntry], int]:
    """The service's history with that of every service merged into it, newest first."""
    rows = await conn.fetch(
        """WITH RECURSIVE family(id, depth) AS (
               SELECT $1::uuid, 0
               UNION ALL SELECT m.merged_id, f.depth + 1 FROM service_merge m JOIN family f ON m.into_id = f.id
               WHERE f.depth < 50)
           SELECT h.service_id, h.at, h.actor, h.actor_name, h.action, h.changes, h.note, count(*) OVER () AS total
           FROM service_history h WHERE h.service_id IN (SELECT id FROM family)
           ORDER BY h.at DESC, h.id DESC LIMIT $2 OFFSET $3""",
        service_id,
        limit,
        offset,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [
        HistoryEntry(r["service_id"], r["at"], r["actor"], r["action"], r["changes"], r["note"], r["actor_name"])
        for r in rows
    ], total


async def tag_source_directory(conn: Connection, service_ids: Sequence[UUID], directory: str) -> None:
    """Remember where services came from; the first directory that listed a service keeps it."""
    await conn.execute(
        "UPDATE service_extension SET source_directory = $2"
        " WHERE service_id = ANY($1::uuid[]) AND source_directory IS NULL",
        list(service_ids),
        directory,
    )


async def record_merge(
    conn: Connection, merged_id: UUID, into_id: UUID, *, at: datetime, by: str, score: float | None
) -> None:
    await conn.execute(
        "INSERT INTO service_merge (merged_id, into_id, at, merged_by, score) VALUES ($1, $2, $3, $4, $5)",
        merged_id,
        into_id,
        at,
        by,
        score,
    )


async def dismiss_pair(conn: Connection, first: UUID, second: UUID, *, at: datetime, by: str) -> None:
    low, high = sorted((first, second))
    await conn.execute(
        "INSERT INTO duplicate_dismissal (first_id, second_id, at, dismissed_by) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING",
        low,
        high,
        at,
        by,
    )


def jsonable_entry(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "service_id": str(entry.service_id),
        "at": entry.at,
        "actor": entry.actor,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "changes": entry.changes,
        "note": entry.note,
    }


async def load_listings(conn: Connection) -> list[Listing]:
    """What duplicate detection reads of every service still offered and not merged away. A service created
    here (no source directory) counts as the directory "curated here"."""
    # Whole-table aggregates joined once (hash joins), not a subquery per service: one pass over 100k rows.
    rows = await conn.fetch(
        """WITH offered AS (
               SELECT s.id, s.name, s.url, s.organization_id, e.source_directory
               FROM service s JOIN service_extension e ON e.service_id = s.id
               WHERE e.withdrawn_at IS NULL AND s.status = 'active'
                 AND NOT EXISTS (SELECT 1 FROM service_merge m WHERE m.merged_id = s.id)),
           postcodes AS (
               SELECT sal.service_id, array_agg(DISTINCT a.postal_code) AS postcodes
               FROM service_at_location sal JOIN address a ON a.location_id = sal.location_id
               GROUP BY sal.service_id),
           phones AS (
               SELECT c.service_id, array_agg(DISTINCT p.number) AS phones
               FROM contact c JOIN phone p ON p.contact_id = c.id GROUP BY c.service_id)
           SELECT f.id, f.name, coalesce(f.source_directory, 'curated here') AS directory, o.name AS organization,
                  coalesce(pc.postcodes, '{}') AS postcodes, coalesce(ph.phones, '{}') AS phones,
                  array_remove(ARRAY[f.url, o.website], NULL) AS websites
           FROM offered f
           LEFT JOIN organization o ON o.id = f.organization_id
           LEFT JOIN postcodes pc ON pc.service_id = f.id
           LEFT JOIN phones ph ON ph.service_id = f.id
           ORDER BY f.id"""
    )
    return [
        Listing(
            r["id"],
            r["name"],
            r["directory"],
            r["organization"],
            tuple(r["postcodes"]),
            tuple(r["phones"]),
            tuple(r["websites"]),
        )
        for r in rows
    ]


async def directory_fingerprint(conn: Connection) -> tuple[object, ...]:
    """Changes whenever anything duplicate detection reads may have changed: a service written, withdrawn,
    merged or tagged with its directory (each stamps last_modified or bumps the revision), or a pair dismissed."""
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM service) AS services, (SELECT max(last_modified) FROM service) AS modified,
                  (SELECT sum(revision) FROM service_extension) AS revisions,
                  (SELECT count(*) FROM service_merge) AS merges,
                  (SELECT count(*) FROM duplicate_dismissal) AS dismissals,
                  (SELECT count(*) FROM import_job WHERE status = 'finished') AS imports"""
    )
    return tuple(row.values()) if row else ()


async def dismissed_pairs(conn: Connection) -> list[tuple[UUID, UUID]]:
    rows = await conn.fetch("SELECT first_id, second_id FROM duplicate_dismissal")
    return [(r["first_id"], r["second_id"]) for r in rows]
