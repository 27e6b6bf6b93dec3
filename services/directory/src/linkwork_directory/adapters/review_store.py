"""Services due for review: those not withdrawn whose details were last verified before a cutoff.

The cutoff (the review rule) is the service layer's; this module only reads `service_extension`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from linkwork_directory.adapters.service_reader import Connection

_DUE = "e.withdrawn_at IS NULL AND (e.last_verified_at IS NULL OR e.last_verified_at < $1)"


@dataclass(frozen=True, slots=True)
class DueForReview:
    service_id: UUID
    name: str
    organization: str | None
    last_verified_at: datetime | None
    verified_by: str | None


async def due_for_review(conn: Connection, *, cutoff: datetime, limit: int, offset: int) -> list[DueForReview]:
    """One page, least recently verified (never verified) first."""
    rows = await conn.fetch(
        f"""SELECT s.id, s.name, o.name AS organization, e.last_verified_at, e.verified_by
            FROM service s JOIN service_extension e ON e.service_id = s.id
            LEFT JOIN organization o ON o.id = s.organization_id
            WHERE {_DUE}
            ORDER BY e.last_verified_at NULLS FIRST, s.name, s.id LIMIT $2 OFFSET $3""",
        cutoff,
        limit,
        offset,
    )
    return [DueForReview(r["id"], r["name"], r["organization"], r["last_verified_at"], r["verified_by"]) for r in rows]


async def count_due(conn: Connection, *, cutoff: datetime) -> int:
    return int(
        await conn.fetchval(
            f"SELECT count(*) FROM service s JOIN service_extension e ON e.service_id = s.id WHERE {_DUE}", cutoff
        )
    )
