"""SQL for the notifications service's narrow read: one referral's PCN, state and person details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class OnFile:
    pcn: str
    state: str
    person: dict[str, Any]


async def on_file(connection: asyncpg.Connection, referral_id: UUID) -> OnFile | None:
    row = await connection.fetchrow(
        "SELECT pcn, state, document->'person' AS person FROM referrals WHERE id = $1", referral_id
    )
    return None if row is None else OnFile(row["pcn"], row["state"], row["person"] or {})
