"""The consumer runner against the real Kafka broker and PostgreSQL: effects, order, retries, dead letters."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from linkwork_contracts.envelope import CloudEvent, encode, wrap
from linkwork_contracts.topics import dlq
from linkwork_runtime.messaging import (
    Backoff,
    ConsumerRunner,
    Handlers,
    MessagingMetrics,
    OutboxRelay,
    RetryPolicy,
    TransientError,
    add_many,
    dead_letters,
)
from messaging_support import (
    Sample,
    effect_handlers,
    eventually,
    produce_raw,
    read_topic,
    record_effect,
    sample_message,
)
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.integration

QUICK_RETRIES = RetryPolicy(max_attempts=3, backoff=Backoff(initial=0.05, maximum=0.2))


@asynccontextmanager
async def running(runner: ConsumerRunner) -> AsyncIterator[ConsumerRunner]:
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


async def _count(pool: asyncpg.Pool, sql: str = "SELECT count(*) FROM effects") -> int:
    return int(await pool.fetchval(sql))


def _reaches(pool: asyncpg.Pool, n: int, sql: str = "SELECT count(*) FROM effects") -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await _count(pool, sql) >= n

    return check


async def _streams(pool: asyncpg.Pool) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = defaultdict(list)
    for row in await pool.fetch("SELECT stream, seq FROM effects ORDER BY id"):
        seen[row["stream"]].append(row["seq"])
    return dict(seen)


def _retrying_runner(
    name: str, pool: asyncpg.Pool, kafka_bootstrap: str, handlers: Handlers, registry: CollectorRegistry
) -> ConsumerRunner:
    """A runner that gives up on a failing event quickly (QUICK_RETRIES), counting into `registry`."""
    return ConsumerRunner(
        name, pool, kafka_bootstrap, handlers, metrics=MessagingMetrics(registry), retry=QUICK_RETRIES
    )


async def test_ten_thousand_events_through_the_outbox_make_exactly_ten_thousand_effects(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    streams, per_stream = 1000, 10
    for seq in range(1, per_stream + 1):
        async with pool.acquire() as connection, connection.transaction():
            await add_many(connection, [sample(stream=f"s{k}", seq=seq) for k in range(streams)], source="test")
    registry = CollectorRegistry()
    metrics = MessagingMetrics(registry)
    relay = OutboxRelay(pool, kafka_bootstrap, metrics=metrics)
    runner = ConsumerRunner(f"{sample.TOPIC}-effects", pool, kafka_bootstrap, effect_handlers(sample), metrics=metrics)
    await relay.start()
    try:
        async with running(runner):
            await eventually(_reaches(pool, streams * per_stream), within=180, what="10,000 effects")
    finally:
        await relay.stop()

    assert await _count(pool) == streams * per_stream
    assert await _count(pool, "SELECT count(DISTINCT event_id) FROM effects") == streams * per_stream
    assert await _count(pool, "SELECT count(*) FROM inbox") == streams * per_stream
    assert await _count(pool, "SELECT count(*) FROM outbox") == 0
    assert await _streams(pool) == {f"s{k}": list(range(1, per_stream + 1)) for k in range(streams)}
    labels = {"consumer": runner.name, "topic": sample.TOPIC}
    assert registry.get_sample_value("linkwork_events_processed_total", labels) == streams * per_stream
    assert registry.get_sample_value("linkwork_handler_duration_seconds_count", labels) == streams * per_stream
    assert registry.get_sample_value("linkwork_events_published_total", {"topic": sample.TOPIC}) == 10_000


async def test_poison_lands_in_the_dlq_with_a_readable_reason_and_good_messages_around_it_are_applied(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    key, good = b"stream-1", [sample_message(sample, "stream-1", seq) for seq in range(1, 5)]
    unknown = orjson.loads(good[0][1])
    unknown.update(id="unknown-1", type="uk.linkwork.test.never-heard-of.v1")
    schema = orjson.loads(encode(wrap(sample(stream="stream-1", seq=99), source="test", event_id="schema-1")))
    schema["data"]["seq"] = "ninety-nine"
    messages = [
        good[0],
        (key, b"{this is not json"),
        good[1],
        (key, orjson.dumps(schema)),
        good[2],
        (key, orjson.dumps(unknown)),
        good[3],
    ]
    await produce_raw(kafka_bootstrap, sample.TOPIC, messages)
    registry = CollectorRegistry()
    runner = _retrying_runner(f"{sample.TOPIC}-poison", pool, kafka_bootstrap, effect_handlers(sample), registry)
    async with running(runner):
        letters = await read_topic(kafka_bootstrap, dlq(sample.TOPIC), 3)
        await eventually(_reaches(pool, 4), within=60, what="the four good events")

    assert await _streams(pool) == {"stream-1": [1, 2, 3, 4]}
    failures = [dead_letters.from_record(r.key, r.value, list(r.headers), r.partition, r.offset) for r in letters]
    failures.sort(key=lambda letter: letter.failure.offset)
    assert [f.failure.error_type for f in failures] == ["MalformedEvent", "SchemaViolation", "UnknownEventType"]
    assert "not JSON" in failures[0].failure.error_message
    assert "data.seq" in failures[1].failure.error_message
    assert "uk.linkwork.test.never-heard-of.v1" in failures[2].failure.error_message
    assert [f.value for f in failures] == [messages[1][1], messages[3][1], messages[5][1]]
    partition = letters[0].partition  # one key, so one partition
    assert [f.failure.offset for f in failures] == [1, 3, 5]
    for letter in failures:
        assert letter.key == key
        assert letter.failure.topic == sample.TOPIC
        assert letter.failure.partition == partition
        assert letter.failure.consumer == runner.name
        assert letter.failure.attempts == 1
    labels = {"consumer": runner.name, "topic": sample.TOPIC}
    assert (
        registry.get_sample_value("linkwork_events_dead_lettered_total", {**labels, "error_type": "SchemaViolation"})
        == 1
    )


async def test_a_failing_handler_is_retried_then_dead_lettered_and_its_partition_moves_on(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    calls: dict[int, int] = defaultdict(int)
    handlers = Handlers()

    @handlers.on(sample)
    async def fails_on_two(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        calls[event.seq] += 1
        await record_effect(event, envelope, connection)
        if event.seq == 2:
            raise ValueError("seq 2 cannot be applied")

    await produce_raw(kafka_bootstrap, sample.TOPIC, [sample_message(sample, "one", s) for s in range(1, 5)])
    registry = CollectorRegistry()
    runner = _retrying_runner(f"{sample.TOPIC}-failing", pool, kafka_bootstrap, handlers, registry)
    async with running(runner):
        letters = await read_topic(kafka_bootstrap, dlq(sample.TOPIC), 1)
        await eventually(_reaches(pool, 3), within=60, what="the events after the failing one")

    assert await _streams(pool) == {"one": [1, 3, 4]}  # the failed attempts' effects were rolled back
    letter = dead_letters.from_record(letters[0].key, letters[0].value, list(letters[0].headers), 0, 0)
    assert (letter.failure.error_type, letter.failure.error_message) == ("ValueError", "seq 2 cannot be applied")
    assert letter.failure.attempts == QUICK_RETRIES.max_attempts == calls[2]
    labels = {"consumer": runner.name, "topic": sample.TOPIC}
    assert registry.get_sample_value("linkwork_events_retried_total", {**labels, "kind": "handler"}) == 2
    assert registry.get_sample_value("linkwork_events_processed_total", labels) == 3


async def test_a_transient_failure_is_retried_without_limit_and_never_dead_lettered(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    failures_left = {"count": 5}  # more than max_attempts: counting them would dead-letter the event
    handlers = Handlers()

    @handlers.on(sample)
    async def flaky(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        if event.seq == 2 and failures_left["count"] > 0:
            failures_left["count"] -= 1
            raise TransientError("the downstream service is restarting")
        await record_effect(event, envelope, connection)

    await produce_raw(kafka_bootstrap, sample.TOPIC, [sample_message(sample, "one", s) for s in range(1, 5)])
    registry = CollectorRegistry()
    runner = _retrying_runner(f"{sample.TOPIC}-flaky", pool, kafka_bootstrap, handlers, registry)
    async with running(runner):
        await eventually(_reaches(pool, 4), within=60, what="all four events")

    assert await _streams(pool) == {"one": [1, 2, 3, 4]}
    labels = {"consumer": runner.name, "topic": sample.TOPIC}
    assert registry.get_sample_value("linkwork_events_retried_total", {**labels, "kind": "transient"}) == 5
    assert (
        registry.get_sample_value("linkwork_events_dead_lettered_total", {**labels, "error_type": "TransientError"})
        is None
    )


async def test_each_key_is_applied_in_order_while_partitions_are_applied_concurrently(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    streams, per_stream = 100, 30
    in_flight = {"now": 0, "most": 0}
    handlers = Handlers()

    @handlers.on(sample)
    async def ordered(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        in_flight["now"] += 1
        in_flight["most"] = max(in_flight["most"], in_flight["now"])
        try:
            await record_effect(event, envelope, connection)
        finally:
            in_flight["now"] -= 1

    messages = [sample_message(sample, f"s{k}", seq) for seq in range(1, per_stream + 1) for k in range(streams)]
    await produce_raw(kafka_bootstrap, sample.TOPIC, messages)
    runner = ConsumerRunner(f"{sample.TOPIC}-order", pool, kafka_bootstrap, handlers, batch_size=100)
    async with running(runner):
        await eventually(_reaches(pool, streams * per_stream), within=120, what="every event")

    assert await _streams(pool) == {f"s{k}": list(range(1, per_stream + 1)) for k in range(streams)}
    assert in_flight["most"] > 1, "partitions were never applied at the same time"


async def _committed(bootstrap: str, group: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        total = 0
        for partition in range(4):
            total += await consumer.committed(TopicPartition(topic, partition)) or 0
        return total
    finally:
        await consumer.stop()


async def test_stopping_commits_the_offsets_of_everything_applied_so_a_restart_repeats_nothing(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    total = 3000
    await produce_raw(kafka_bootstrap, sample.TOPIC, [sample_message(sample, f"s{n % 50}", n) for n in range(total)])
    name = f"{sample.TOPIC}-stop"
    handlers = Handlers()

    @handlers.on(sample)
    async def slowly(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        await asyncio.sleep(0.001)  # so that the run is still going when we stop it
        await record_effect(event, envelope, connection)

    first = ConsumerRunner(name, pool, kafka_bootstrap, handlers, batch_size=50)
    async with running(first):
        await eventually(_reaches(pool, 500), within=60, what="some effects")
    applied = await _count(pool)
    assert applied < total, "the runner finished before it could be stopped mid-run"
    assert await _committed(kafka_bootstrap, name, sample.TOPIC) == applied

    registry = CollectorRegistry()
    second = ConsumerRunner(name, pool, kafka_bootstrap, effect_handlers(sample), metrics=MessagingMetrics(registry))
    labels = {"consumer": name, "topic": sample.TOPIC}
    async with running(second):
        await eventually(_reaches(pool, total), within=60, what="the rest of the events")
        lags = [registry.get_sample_value("linkwork_consumer_lag", {**labels, "partition": str(p)}) for p in range(4)]
    assert await _count(pool, "SELECT count(DISTINCT event_id) FROM effects") == await _count(pool) == total
    assert registry.get_sample_value("linkwork_events_skipped_total", {**labels, "reason": "duplicate"}) in (None, 0)
    assert [lag for lag in lags if lag is not None], "no partition reported its lag"
    assert all(lag in (None, 0) for lag in lags)
    # Once stopped, the runner no longer reports lag for partitions it gave up.
    assert registry.get_sample_value("linkwork_consumer_lag", {**labels, "partition": "0"}) is None


async def test_a_replayed_event_is_skipped_by_the_inbox(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    message = sample_message(sample, "one", 1)
    await produce_raw(kafka_bootstrap, sample.TOPIC, [message, message, sample_message(sample, "one", 2)])
    registry = CollectorRegistry()
    runner = ConsumerRunner(
        f"{sample.TOPIC}-dup", pool, kafka_bootstrap, effect_handlers(sample), metrics=MessagingMetrics(registry)
    )
    async with running(runner):
        await eventually(_reaches(pool, 2), within=60, what="both distinct events")
        await produce_raw(kafka_bootstrap, sample.TOPIC, [message])
        await eventually(
            lambda: _is(
                registry,
                "linkwork_events_skipped_total",
                {"consumer": runner.name, "topic": sample.TOPIC, "reason": "duplicate"},
                2,
            ),
            within=60,
            what="the duplicates to be skipped",
        )
    assert await _streams(pool) == {"one": [1, 2]}


async def _is(registry: CollectorRegistry, name: str, labels: dict[str, str], value: float) -> bool:
    await asyncio.sleep(0)
    return registry.get_sample_value(name, labels) == value
