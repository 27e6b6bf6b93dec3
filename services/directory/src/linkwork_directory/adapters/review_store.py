"""The review queue's store (service_layer/ports.py `ReviewStore`) over PostgreSQL: services not withdrawn
whose details were last verified before a cutoff.

The cutoff (the review rule) is the service layer's; this module only reads `service_extension`.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.adapters.unit_of_work import on_borrowed_connection
from linkwork_directory.domain.freshness import DueForReview
from linkwork_directory.service_layer.ports import ReviewStores

_DUE = "e.withdrawn_at IS NULL AND (e.last_verified_at IS NULL OR e.last_verified_at < $1)"


class PostgresReviewStore:
    """On the connection it is given (the caller's transaction, if any)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def due_for_review(self, *, cutoff: datetime, limit: int, offset: int) -> list[DueForReview]:
        rows = await self.conn.fetch(
            f"""SELECT s.id, s.name, o.name AS organization, e.last_verified_at, e.verified_by
                FROM service s JOIN service_extension e ON e.service_id = s.id
                LEFT JOIN organization o ON o.id = s.organization_id
                WHERE {_DUE}
                ORDER BY e.last_verified_at NULLS FIRST, s.name, s.id LIMIT $2 OFFSET $3""",
            cutoff,
            limit,
            offset,
        )
        return [
            DueForReview(r["id"], r["name"], r["organization"], r["last_verified_at"], r["verified_by"]) for r in rows
        ]

    async def count_due(self, *, cutoff: datetime) -> int:
        return int(
            await self.conn.fetchval(
                f"SELECT count(*) FROM service s JOIN service_extension e ON e.service_id = s.id WHERE {_DUE}", cutoff
            )
        )


def review_stores(pool: asyncpg.Pool) -> ReviewStores:
    """A review store for each count, on a connection borrowed from `pool` for as long as it is open."""
    return on_borrowed_connection(pool, PostgresReviewStore)
