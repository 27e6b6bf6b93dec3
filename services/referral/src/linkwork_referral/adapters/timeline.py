"""The referral's timeline: one row per thing that happened, shown to those who may read it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from linkwork_referral.domain.timeline import Entry


async def append(
    connection: asyncpg.Connection,
    referral_id: UUID,
    at: datetime,
    entry: Entry,
    actor: str | None,
    actor_role: str | None,
) -> None:
    await connection.execute(
        """INSERT INTO timeline (referral_id, at, kind, actor, actor_role, summary, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        referral_id,
        at,
        entry.kind,
        actor,
        actor_role,
        entry.summary,
        entry.detail,
    )


async def read(connection: asyncpg.Connection, referral_id: UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await connection.fetch(
        "SELECT id, at, kind, actor, actor_role, summary, detail FROM timeline WHERE referral_id = $1 ORDER BY id",
        referral_id,
    )
    return rows
