"""Shared by the messaging tests and the helper processes they start: a test-only event type, the effect
table its handler writes, and small async helpers.

The event type is registered in the contracts' registry so that messages go through the real CloudEvents
envelope (`wrap`/`encode`/`decode`), exactly as in production.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import ClassVar

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import CloudEvent, encode, wrap
from linkwork_contracts.events import Event
from linkwork_contracts.registry import EVENT_TYPES
from linkwork_runtime.messaging import MIGRATIONS, Handlers
from linkwork_stack.databases import scratch_database as empty_database
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here
from linkwork_stack.testing import produce

SAMPLE_TYPE = "uk.linkwork.test.sample.v1"
HERE = Path(__file__).parent

EFFECTS_SQL = """
CREATE TABLE IF NOT EXISTS effects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id text NOT NULL,   -- deliberately not unique: a duplicate effect must be visible
    stream text NOT NULL,
    seq int NOT NULL
);
CREATE TABLE IF NOT EXISTS produced (stream text NOT NULL, seq int NOT NULL, PRIMARY KEY (stream, seq));
"""


class Sample(Event):
    """The test event's fields; `sample_type` gives it a type and a topic."""

    stream: str
    seq: int


def sample_type(topic: str) -> type[Sample]:
    """An event type published on `topic`, keyed by `stream`, registered for decoding."""

    class SampleV1(Sample):
        TYPE: ClassVar[str] = SAMPLE_TYPE
        TOPIC: ClassVar[str] = topic
        KEY_FIELD: ClassVar[str] = "stream"

    EVENT_TYPES[SAMPLE_TYPE] = SampleV1
    return SampleV1


def unregister() -> None:
    EVENT_TYPES.pop(SAMPLE_TYPE, None)


async def record_effect(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    await connection.execute(
        "INSERT INTO effects (event_id, stream, seq) VALUES ($1, $2, $3)", envelope.id, event.stream, event.seq
    )


def effect_handlers(event_type: type[Sample]) -> Handlers:
    handlers = Handlers()
    handlers.add(event_type, record_effect)
    return handlers


async def prepare(connection: asyncpg.Connection) -> None:
    from linkwork_runtime.migrations import migrate

    await migrate(connection, {"messaging": MIGRATIONS})
    await connection.execute(EFFECTS_SQL)


async def effect_report(url: str) -> tuple[int, int]:
    """(effect rows, distinct event ids among them)."""
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow("SELECT count(*), count(DISTINCT event_id) FROM effects")
        assert row is not None
        return int(row[0]), int(row[1])
    finally:
        await connection.close()


async def read_topic(bootstrap: str, topic: str, count: int, *, within: float = 60.0) -> list[ConsumerRecord]:
    """The first `count` records of `topic` across its partitions (no consumer group, nothing committed)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = time.monotonic() + within
        while len(records) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(records)} of {count} records arrived on {topic}")
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def topic_size(bootstrap: str, topic: str) -> int:
    """How many records `topic` holds (end minus beginning offsets over its partitions)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = list(consumer.assignment())
        end = await consumer.end_offsets(partitions)
        start = await consumer.beginning_offsets(partitions)
        return sum(end[tp] - start[tp] for tp in partitions)
    finally:
        await consumer.stop()


async def produce_raw(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    """Publish (key, value) pairs as they are, bypassing the outbox: for poison and benchmarks."""
    await produce(bootstrap, [(topic, key, value) for key, value in messages])


def sample_message(event_type: type[Sample], stream: str, seq: int) -> tuple[bytes, bytes]:
    return stream.encode(), encode(wrap(event_type(stream=stream, seq=seq), source="test"))


@asynccontextmanager
async def scratch_database(server_url: str) -> AsyncIterator[str]:
    """A new database with the messaging and test tables on the server of `server_url`; dropped after."""
    async with empty_database(server_url) as url:
        connection = await asyncpg.connect(url)
        try:
            await prepare(connection)
        finally:
            await connection.close()
        yield url
