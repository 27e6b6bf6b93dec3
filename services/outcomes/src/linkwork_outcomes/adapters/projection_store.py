"""The projector's own tables and lock: the queue of pending referrals, set-aside summaries, and emptying
every projection for a rebuild; the fact store, projection, rebuild and fact sink ports (service_layer/ports.py).

One projector writes the aggregate tables at a time, under a PostgreSQL advisory lock: the live projector
takes it per transaction and skips a batch if it is held; a rebuild holds it for its whole session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

import asyncpg
from linkwork_contracts.events import Event

from linkwork_outcomes.adapters import aggregate_store, area_store, fact_store, provider_store, summary_store
from linkwork_outcomes.adapters.event_facts import facts_of
from linkwork_outcomes.domain.aggregates import areas_of
from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.facts import ReferralFacts
from linkwork_outcomes.domain.referral_summary import ReferralSummary
from linkwork_outcomes.service_layer.ports import HistoryChunk

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


async def _save(
    connection: asyncpg.Connection,
    summaries: Sequence[ReferralSummary],
    facts: Iterable[ReferralFacts],
    cells: Contribution | None,
) -> None:
    """Store summaries, add the (zero-free) cells to the aggregates, record the areas the facts name."""
    await summary_store.save(connection, summaries)
    if cells is not None:
        await aggregate_store.apply(connection, cells)
    await area_store.record(connection, areas_of(facts))


@asynccontextmanager
async def rebuilding(connection: asyncpg.Connection) -> AsyncIterator[None]:
    """Hold the projector's lock for the session and empty every projection table, for a rebuild."""
    await connection.execute("SELECT pg_advisory_lock($1)", PROJECTOR_LOCK)
    try:
        await connection.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES)}")
        yield
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", PROJECTOR_LOCK)


class PostgresProjectionBatch:
    """The projection port's batch over one connection's transaction (service_layer/ports.py)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def claim(self, batch_size: int) -> list[str]:
        return await claim(self._connection, batch_size)

    async def facts(self, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
        return await fact_store.load(self._connection, referral_ids)

    async def summaries(self, referral_ids: Sequence[str]) -> dict[str, ReferralSummary]:
        return await summary_store.load(self._connection, referral_ids)

    async def set_aside(self, failed: Mapping[str, str]) -> None:
        await set_aside(self._connection, failed)

    async def recovered(self, referral_ids: Sequence[str]) -> None:
        await recovered(self._connection, referral_ids)

    async def save(
        self, summaries: Sequence[ReferralSummary], delta: Contribution, facts: Iterable[ReferralFacts]
    ) -> None:
        await _save(self._connection, summaries, facts, delta)


class PostgresProjectionStore:
    """The projection port over one connection (a pool's, held by the caller for the batch)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[PostgresProjectionBatch | None]:
        async with self._connection.transaction():
            yield PostgresProjectionBatch(self._connection) if await try_lock(self._connection) else None


class PostgresRebuildStore:
    """The rebuild port: `writer` holds the lock and writes, `reader` loads facts meanwhile (bulk_projection.py)."""

    def __init__(self, writer: asyncpg.Connection, reader: asyncpg.Connection) -> None:
        self._writer, self._reader = writer, reader

    def emptied(self) -> AbstractAsyncContextManager[None]:
        return rebuilding(self._writer)

    async def referral_ids(self) -> list[str]:
        return await fact_store.all_referral_ids(self._writer)

    async def facts(self, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
        return await fact_store.load(self._reader, referral_ids)

    async def write(
        self, summaries: Sequence[ReferralSummary], facts: Iterable[ReferralFacts], cells: Contribution | None
    ) -> None:
        async with self._writer.transaction():
            await _save(self._writer, summaries, facts, cells)


class PostgresFactRecords:
    """The live consumer's facts (`FactRecords`) on the connection of its transaction."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def record(self, event: Event, at: datetime) -> None:
        if isinstance(event, provider_store.PROVIDER_LOOP):
            await provider_store.store(self._connection, event)
        else:
            await fact_store.store(self._connection, facts_of(event, at))


class PostgresFactStore:
    """The `FactStore` port: it holds no connection of its own, since facts are only written joining the
    consumer's transaction."""

    def joining(self, transaction: asyncpg.Connection) -> PostgresFactRecords:
        return PostgresFactRecords(transaction)


class PostgresFactSink:
    """The fact sink port of a replay's share, over its own connection."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def store(self, chunk: HistoryChunk) -> None:
        async with self._connection.transaction():
            await fact_store.store(self._connection, chunk.facts, queue=False)
            # Few beside the referral events: stored one by one, as the live consumer does.
            for event in chunk.provider_events:
                await provider_store.store(self._connection, event)
