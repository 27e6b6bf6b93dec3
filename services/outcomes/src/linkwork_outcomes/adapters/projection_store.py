"""The projector's own tables and lock: the queue of pending referrals, set-aside summaries, and emptying
every projection for a rebuild.

One projector writes the aggregate tables at a time, under a PostgreSQL advisory lock: the live projector
takes it per transaction and skips a batch if it is held; a rebuild holds it for its whole session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import asyncpg

from linkwork_outcomes.adapters import provider_store

# Any fixed number: only the outcomes projector takes this lock.
PROJECTOR_LOCK = 8_002_611

PROJECTION_TABLES = (
    "referral_version", "plan_version", "contact", "measurement", "follow_up_due", "closure", "provision_gap",
    "service_label", "suggestion_set", "area_served", "pending_referral",
    "referral_summary", "tally", "outcome_sums",
    *provider_store.TABLES,
)  # fmt: skip

_CLAIM = """
DELETE FROM pending_referral
WHERE seq IN (SELECT seq FROM pending_referral ORDER BY seq LIMIT $1)
RETURNING referral_id
"""
_FAILED = """
INSERT INTO summary_failure (referral_id, reason) SELECT * FROM unnest($1::text[], $2::text[])
ON CONFLICT (referral_id) DO UPDATE SET reason = excluded.reason, failed_at = now()
"""
_RECOVERED = "DELETE FROM summary_failure WHERE referral_id = ANY($1::text[])"


async def try_lock(connection: asyncpg.Connection) -> bool:
    """Take the projector's lock until the transaction ends; False if another projector holds it."""
    return bool(await connection.fetchval("SELECT pg_try_advisory_xact_lock($1)", PROJECTOR_LOCK))


async def claim(connection: asyncpg.Connection, batch_size: int) -> list[str]:
    """Take the oldest queue rows (deleted with the transaction's commit); a referral may appear more than once."""
    return [str(row["referral_id"]) for row in await connection.fetch(_CLAIM, batch_size)]


async def set_aside(connection: asyncpg.Connection, failed: Mapping[str, str]) -> None:
    """Record the referrals whose summary could not be computed, with the reason."""
    if failed:
        await connection.execute(_FAILED, list(failed), list(failed.values()))


async def recovered(connection: asyncpg.Connection, referral_ids: Sequence[str]) -> None:
    """Referrals summarised after all: no longer set aside."""
    await connection.execute(_RECOVERED, list(referral_ids))


@asynccontextmanager
async def rebuilding(connection: asyncpg.Connection) -> AsyncIterator[None]:
    """Hold the projector's lock for the session and empty every projection table, for a rebuild."""
    await connection.execute("SELECT pg_advisory_lock($1)", PROJECTOR_LOCK)
    try:
        await connection.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES)}")
        yield
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", PROJECTOR_LOCK)
