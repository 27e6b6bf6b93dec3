"""Helpers of the outcomes integration tests: own topics, producing histories, waiting, snapshots."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
from aiokafka import AIOKafkaProducer
from linkwork_contracts.envelope import CloudEvent, encode
from linkwork_contracts.events import Event
from linkwork_outcomes.adapters import fact_store
from linkwork_outcomes.adapters.event_facts import facts_of
from linkwork_outcomes.adapters.kafka_history import consumed_topics
from linkwork_outcomes.adapters.projection_store import PROJECTION_TABLES, PostgresProjectionStore
from linkwork_outcomes.adapters.synthetic.history import History
from linkwork_outcomes.domain.facts import FactBatch
from linkwork_outcomes.service_layer.projection import project_all
from linkwork_outcomes.settings import Settings
from linkwork_stack import testing
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here

JWT_SECRET = "outcomes-test-secret-of-at-least-32-bytes"


@asynccontextmanager
async def own_topics_settings(database_url: str, bootstrap: str, **overrides: object) -> AsyncIterator[Settings]:
    """Settings of a service on topics of its own (created now, deleted afterwards) and a consumer group
    of its own, so that nothing other tests put on the shared broker reaches it; `overrides` sets more fields."""
    async with testing.own_topics(bootstrap, consumed_topics()) as prefix:
        yield testing.consumer_settings(Settings, database_url, bootstrap, prefix, jwt_secret=JWT_SECRET, **overrides)


async def produce(bootstrap: str, prefix: str, events: Sequence[tuple[Event, CloudEvent]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(
                prefix + event.TOPIC,
                encode(envelope),
                key=event.key().encode(),
                headers=[("content-type", b"application/cloudevents+json; charset=UTF-8")],
            )
            for event, envelope in events
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every projection table, rows sorted: two snapshots are equal iff the projections are."""
    connection = await asyncpg.connect(url)
    try:
        tables = {}
        for table in PROJECTION_TABLES:
            rows = await connection.fetch(f"SELECT * FROM {table}")
            if table == "pending_referral":
                rows = [row[1:] for row in rows]  # its sequence numbers are bookkeeping, not content
            tables[table] = sorted(tuple(str(v) for v in row) for row in rows)
        return tables
    finally:
        await connection.close()


async def settled(url: str, consumer: str, event_ids: set[str]) -> bool:
    """Every event applied by the consumer and nothing left for the projector."""
    connection = await asyncpg.connect(url)
    try:
        applied = await connection.fetchval(
            "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = ANY($2::text[])", consumer, list(event_ids)
        )
        pending = await connection.fetchval("SELECT count(*) FROM pending_referral")
        return bool(applied == len(event_ids) and pending == 0)
    except asyncpg.UndefinedTableError:
        return False
    finally:
        await connection.close()


async def load_history(pool: asyncpg.Pool, history: History, rng: random.Random, repeats: int) -> None:
    """Store every event's facts in random order, some of them more than once, in small transactions."""
    events = list(history.events) + rng.sample(history.events, k=repeats)
    rng.shuffle(events)
    async with pool.acquire() as connection:
        for start in range(0, len(events), 97):
            batch = FactBatch()
            for event, envelope in events[start : start + 97]:
                facts_of(event, envelope.time, batch)
            async with connection.transaction():
                await fact_store.store(connection, batch)
            if start % (97 * 5) == 0:
                # Project part-way, as the live service does.
                await project_all(PostgresProjectionStore(connection), batch_size=53)
        await project_all(PostgresProjectionStore(connection))
