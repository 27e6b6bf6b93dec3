"""The outbox and its relay against the real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import decode
from linkwork_runtime.messaging import MessagingMetrics, OutboxRelay, add, add_many
from linkwork_runtime.messaging.relay import LEADER_LOCK
from messaging_support import Sample, eventually, read_topic, topic_size
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.integration


def _sample(raw: bytes) -> Sample:
    _, event = decode(raw)
    assert isinstance(event, Sample)
    return event


async def _outbox_rows(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


async def test_committed_events_are_published_with_key_and_headers_then_deleted(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    async with pool.acquire() as connection, connection.transaction():
        first = await add(connection, sample(stream="s1", seq=1), source="test", headers={"traceparent": "t-1"})
        await add_many(connection, [sample(stream="s2", seq=1), sample(stream="s1", seq=2)], source="test")
    records = await _relay_all(pool, kafka_bootstrap, sample.TOPIC, 3)

    by_key = defaultdict(list)
    for record in records:
        envelope, event = decode(record.value)
        by_key[record.key].append((envelope.id, event))
        headers = dict(record.headers)
        assert headers["content-type"].startswith(b"application/cloudevents+json")
    assert by_key[b"s1"][0] == (first, sample(stream="s1", seq=1))
    assert [event for _, event in by_key[b"s1"]] == [sample(stream="s1", seq=1), sample(stream="s1", seq=2)]
    assert [event for _, event in by_key[b"s2"]] == [sample(stream="s2", seq=1)]
    assert dict(next(r for r in records if r.key == b"s1").headers)["traceparent"] == b"t-1"


async def _relay_all(
    pool: asyncpg.Pool, kafka_bootstrap: str, topic: str, expected: int, metrics: MessagingMetrics | None = None
) -> list[ConsumerRecord]:
    """Run a relay until `expected` records are on `topic` and the outbox is empty; those records."""
    relay = OutboxRelay(pool, kafka_bootstrap, poll_interval=0.2, metrics=metrics)
    await relay.start()
    try:
        records = await read_topic(kafka_bootstrap, topic, expected)
        await eventually(lambda: _empty(pool), within=30, what="the outbox to be emptied")
    finally:
        await relay.stop()
    return records


async def _empty(pool: asyncpg.Pool) -> bool:
    return await _outbox_rows(pool) == 0


async def test_events_of_a_rolled_back_transaction_are_never_published(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    with pytest.raises(RuntimeError):
        async with pool.acquire() as connection, connection.transaction():
            await add(connection, sample(stream="s1", seq=1), source="test")
            raise RuntimeError("the state change failed")
    async with pool.acquire() as connection, connection.transaction():
        kept = await add(connection, sample(stream="s1", seq=2), source="test")
    records = await _relay_all(pool, kafka_bootstrap, sample.TOPIC, 1)
    assert decode(records[0].value)[0].id == kept
    assert await topic_size(kafka_bootstrap, sample.TOPIC) == 1


async def test_a_second_writer_for_the_same_key_waits_for_the_first_to_commit(
    pool: asyncpg.Pool, sample: type[Sample]
) -> None:
    first = await pool.acquire()
    second = await pool.acquire()
    other = await pool.acquire()
    try:
        first_tx = first.transaction()
        await first_tx.start()
        await add(first, sample(stream="k", seq=1), source="test")
        # Another key is not held up.
        async with other.transaction():
            await add(other, sample(stream="other", seq=1), source="test")

        async def second_writer() -> None:
            async with second.transaction():
                await add(second, sample(stream="k", seq=2), source="test")

        waiting = asyncio.create_task(second_writer())
        await asyncio.sleep(0.5)
        assert not waiting.done(), "the second writer did not wait for the first's commit"
        await first_tx.commit()
        await asyncio.wait_for(waiting, 10)
        ids = await first.fetch("SELECT key, id FROM outbox WHERE key = 'k' ORDER BY id")
        values = await first.fetch("SELECT value FROM outbox WHERE key = 'k' ORDER BY id")
        assert [_sample(row["value"]).seq for row in values] == [1, 2]
        assert len(ids) == 2
    finally:
        for connection in (first, second, other):
            await pool.release(connection)


async def test_two_relays_publish_every_key_in_commit_order_with_one_leader(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    keys, per_key = 40, 25
    registry = CollectorRegistry()
    metrics = MessagingMetrics(registry)
    relays = [
        OutboxRelay(pool, kafka_bootstrap, poll_interval=0.2, batch_size=100, metrics=metrics, metrics_interval=0.1)
        for _ in range(2)
    ]
    for relay in relays:
        await relay.start()

    async def writer(stream: str) -> None:
        # One transaction per event, as a service handling one request at a time per referral would.
        for seq in range(1, per_key + 1):
            async with pool.acquire() as connection, connection.transaction():
                await add(connection, sample(stream=stream, seq=seq), source="test")

    try:
        await asyncio.gather(*(writer(f"stream-{k}") for k in range(keys)))
        records = await read_topic(kafka_bootstrap, sample.TOPIC, keys * per_key, within=120)
        await eventually(lambda: _empty(pool), within=30, what="the outbox to be emptied")
        assert sum(relay.leading for relay in relays) == 1
    finally:
        for relay in relays:
            await relay.stop()

    seen: dict[str, list[int]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        event = _sample(record.value)
        seen[event.stream].append(event.seq)
    assert seen == {f"stream-{k}": list(range(1, per_key + 1)) for k in range(keys)}
    assert registry.get_sample_value("linkwork_events_published_total", {"topic": sample.TOPIC}) == keys * per_key
    assert registry.get_sample_value("linkwork_outbox_backlog") is not None


async def test_stopping_the_relay_publishes_everything_already_committed(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await add_many(connection, [sample(stream=f"s{n % 10}", seq=n) for n in range(2500)], source="test")
    relay = OutboxRelay(pool, kafka_bootstrap, batch_size=500, poll_interval=5.0)
    await relay.start()
    await relay.stop()
    assert await _outbox_rows(pool) == 0
    assert await topic_size(kafka_bootstrap, sample.TOPIC) == 2500


async def test_a_standby_relay_takes_over_when_the_leader_stops(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    first = OutboxRelay(pool, kafka_bootstrap, poll_interval=0.1)
    await first.start()
    await eventually(_leads(first), within=30, what="the first relay to lead")
    second = OutboxRelay(pool, kafka_bootstrap, poll_interval=0.1)
    await second.start()
    try:
        await first.stop()
        await eventually(_leads(second), within=30, what="the standby to take over")
        async with pool.acquire() as connection, connection.transaction():
            await add(connection, sample(stream="s", seq=1), source="test")
        await read_topic(kafka_bootstrap, sample.TOPIC, 1)
        await eventually(lambda: _empty(pool), within=30, what="the outbox to be emptied")
    finally:
        await second.stop()


def _leads(relay: OutboxRelay) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return relay.leading

    return check


async def test_a_standby_reports_the_backlog_and_publishes_once_the_lock_is_free(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    registry = CollectorRegistry()
    holder = await pool.acquire()
    try:
        assert await holder.fetchval("SELECT pg_try_advisory_lock($1, $2)", *LEADER_LOCK)  # "another relay"
        async with pool.acquire() as connection, connection.transaction():
            await add_many(connection, [sample(stream="s", seq=n) for n in range(5)], source="test")
        relay = OutboxRelay(
            pool, kafka_bootstrap, poll_interval=0.1, metrics=MessagingMetrics(registry), metrics_interval=0.1
        )
        await relay.start()
        try:
            await eventually(_gauge_is(registry, "linkwork_outbox_backlog", 5), within=30, what="the backlog")
            assert not relay.leading
            assert (registry.get_sample_value("linkwork_outbox_oldest_age_seconds") or -1) >= 0
            await holder.execute("SELECT pg_advisory_unlock($1, $2)", *LEADER_LOCK)
            await read_topic(kafka_bootstrap, sample.TOPIC, 5)
            await eventually(_gauge_is(registry, "linkwork_outbox_backlog", 0), within=30, what="no backlog")
        finally:
            await relay.stop()
    finally:
        await pool.release(holder)


def _gauge_is(registry: CollectorRegistry, name: str, value: float) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return registry.get_sample_value(name) == value

    return check


async def test_a_record_kafka_refuses_for_good_is_parked_and_later_events_flow(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    """Issue 15 [medium]: one oversized record used to block every later outbox event of the service."""
    async with pool.acquire() as connection, connection.transaction():
        before = await add(connection, sample(stream="s1", seq=1), source="test")
        # An event bigger than any Kafka request (the producer refuses it before sending).
        huge = await connection.fetchval(
            """INSERT INTO outbox (event_id, topic, key, value) VALUES ('huge-1', $1, 's2', $2) RETURNING id""",
            sample.TOPIC,
            b"x" * (2 * 1024 * 1024),
        )
        after = await add(connection, sample(stream="s1", seq=2), source="test")
    registry = CollectorRegistry()
    records = await _relay_all(pool, kafka_bootstrap, sample.TOPIC, 2, metrics=MessagingMetrics(registry))
    assert [decode(record.value)[0].id for record in records] == [before, after]
    parked = await pool.fetchrow("SELECT id, event_id, topic, length(value) AS size, reason FROM outbox_parked")
    assert (parked["id"], parked["event_id"], parked["topic"]) == (huge, "huge-1", sample.TOPIC)
    assert parked["size"] == 2 * 1024 * 1024 and parked["reason"].startswith("MessageSizeTooLargeError")
    labels = {"topic": sample.TOPIC, "error_type": "MessageSizeTooLargeError"}
    assert registry.get_sample_value("linkwork_outbox_parked_total", labels) == 1.0
