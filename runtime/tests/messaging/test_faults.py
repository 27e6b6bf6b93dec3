"""Crashes and outages: nothing lost, nothing applied twice.

- the consuming process SIGKILLed five times at random points of a 5,000-event run;
- the producing process (writer + relay) SIGKILLed five times, including between commit and publish;
- Kafka stopped for 10 seconds mid-run; PostgreSQL restarted mid-run (own servers, not the shared ones).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from linkwork_runtime.database import create_pool
from linkwork_runtime.messaging import ConsumerRunner, OutboxRelay, add
from linkwork_runtime.messaging.retry import is_transient
from linkwork_stack.kafka import KafkaBroker
from linkwork_stack.ports import free_port
from linkwork_stack.postgres import PostgresServer
from messaging_support import (
    Sample,
    effect_handlers,
    eventually,
    produce_raw,
    sample_message,
    scratch_database,
)

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

PROCESSES = Path(__file__).parent / "processes"
TOTAL, STREAMS = 5000, 50
T = TypeVar("T")


class Child:
    """A helper process that prints `ready` once started."""

    def __init__(self, script: str, *args: str) -> None:
        self.command = (script, *args)
        self.process = subprocess.Popen(
            [sys.executable, str(PROCESSES / script), *args],
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
        )

    async def ready(self) -> None:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), 60)
        assert line.strip() == "ready", f"child did not start (exit {self.process.poll()})"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    async def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.process.wait, 60)


def _count(pool: asyncpg.Pool, table: str) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        try:
            return int(await pool.fetchval(f"SELECT count(*) FROM {table}"))
        except Exception as error:
            if not is_transient(error):  # a pool connection broken by a database restart
                raise
            return -1

    return count


def _at_least(count: Callable[[], Awaitable[int]], n: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return bool(await count() >= n)

    return check


def _kill_points(rng: random.Random) -> list[int]:
    return sorted(rng.sample(range(TOTAL // 20, TOTAL * 9 // 10), 5))


async def _killed_at_points(
    child: Child,
    points: list[int],
    progress: Callable[[], Awaitable[int]],
    after_kill: Callable[[], Awaitable[T]],
    *,
    every: float,
    finished: Callable[[], Awaitable[bool]],
) -> list[T]:
    """SIGKILL `child` each time `progress()` reaches the next of `points`, note `after_kill()` and start it
    again; then let the last one run until `finished()` and exit cleanly. Returns the notes."""
    notes = []
    try:
        await child.ready()
        for point in points:
            await eventually(_at_least(progress, point), within=120, what=f"progress {point}", every=every)
            child.kill()
            notes.append(await after_kill())
            child = Child(*child.command)
            await child.ready()
        await eventually(finished, within=180, what="every effect")
        assert await child.terminate() == 0
    finally:
        if child.process.poll() is None:
            child.kill()
    return notes


async def _assert_exactly_once_in_order(pool: asyncpg.Pool, total: int, streams: int) -> None:
    row = await pool.fetchrow("SELECT count(*), count(DISTINCT event_id) FROM effects")
    assert row is not None
    assert (row[0], row[1]) == (total, total), f"{row[0]} effects for {row[1]} distinct events, expected {total}"
    seen: dict[str, list[int]] = defaultdict(list)
    for effect in await pool.fetch("SELECT stream, seq FROM effects ORDER BY id"):
        seen[effect["stream"]].append(effect["seq"])
    per_stream = total // streams
    assert seen == {f"s{k}": list(range(1, per_stream + 1)) for k in range(streams)}


def _event_at(n: int) -> tuple[str, int]:
    return f"s{n % STREAMS}", n // STREAMS + 1


async def test_the_consumer_killed_five_times_loses_and_repeats_nothing(
    database_url: str, pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    rng = random.Random(int.from_bytes(os.urandom(4)))
    points = _kill_points(rng)
    await produce_raw(kafka_bootstrap, sample.TOPIC, [sample_message(sample, *_event_at(n)) for n in range(TOTAL)])
    args = (database_url, kafka_bootstrap, sample.TOPIC, f"{sample.TOPIC}-killed", "--delay-ms", "1")
    effects = _count(pool, "effects")
    killed_at = await _killed_at_points(
        Child("consume.py", *args), points, effects, effects, every=0.02, finished=_at_least(effects, TOTAL)
    )
    log.info("consumer killed at %s effects (points %s)", killed_at, points)
    assert all(n < TOTAL for n in killed_at), f"kills must land mid-run: {killed_at}"
    await _assert_exactly_once_in_order(pool, TOTAL, STREAMS)


async def test_the_producer_killed_five_times_between_commit_and_publish_loses_and_repeats_nothing(
    database_url: str, pool: asyncpg.Pool, consumer_pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    rng = random.Random(int.from_bytes(os.urandom(4)))
    points = _kill_points(rng)
    args = (database_url, kafka_bootstrap, sample.TOPIC, str(TOTAL), str(STREAMS))
    produced, unpublished = _count(pool, "produced"), _count(pool, "outbox")
    runner = ConsumerRunner(f"{sample.TOPIC}-consumer", consumer_pool, kafka_bootstrap, effect_handlers(sample))
    await runner.start()

    async def stranded_rows() -> tuple[int, int]:
        # Rows committed by the killed process that its relay had not yet published and deleted.
        return await produced(), await unpublished()

    try:
        stranded = await _killed_at_points(
            Child("produce.py", *args),
            points,
            produced,
            stranded_rows,
            every=0.01,
            finished=_at_least(_count(consumer_pool, "effects"), TOTAL),
        )
    finally:
        await runner.stop()
    log.info("producer killed at (produced, unpublished) %s", stranded)
    assert all(n < TOTAL for n, _ in stranded), f"kills must land mid-run: {stranded}"
    assert any(rows > 0 for _, rows in stranded), "no kill fell between a commit and its publication"
    assert await produced() == TOTAL
    await _assert_exactly_once_in_order(consumer_pool, TOTAL, STREAMS)


async def _steady_writer(pool: asyncpg.Pool, sample: type[Sample], total: int, per_second: float) -> None:
    """Writes `total` events at a steady rate, riding out database outages. Idempotent per event: after
    an ambiguous commit (connection lost while committing) the retry finds the `produced` row and skips it."""
    n, step = 0, 10
    while n < total:
        try:
            async with pool.acquire() as connection, connection.transaction():
                for m in range(n, min(total, n + step)):
                    stream, seq = f"s{m % 20}", m // 20 + 1
                    if await connection.fetchval(
                        "INSERT INTO produced VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1", stream, seq
                    ):
                        await add(connection, sample(stream=stream, seq=seq), source="fault-test")
        except Exception as error:
            if not is_transient(error):
                raise
            await asyncio.sleep(0.2)
            continue
        n += step
        await asyncio.sleep(step / per_second)


async def test_a_ten_second_kafka_outage_loses_nothing(
    tmp_path: Path, pool: asyncpg.Pool, consumer_pool: asyncpg.Pool, sample: type[Sample]
) -> None:
    total = 1500
    broker = KafkaBroker(tmp_path / "kafka", port=free_port(), controller_port=free_port())
    await asyncio.to_thread(broker.start)
    relay = OutboxRelay(pool, broker.bootstrap, poll_interval=0.5)
    runner = ConsumerRunner(f"{sample.TOPIC}-outage", consumer_pool, broker.bootstrap, effect_handlers(sample))
    try:
        await relay.start()
        await runner.start()
        writer = asyncio.create_task(_steady_writer(pool, sample, total, per_second=150))
        await eventually(_at_least(_count(consumer_pool, "effects"), 200), within=60, what="the run to start")
        await asyncio.to_thread(broker.stop)
        during = await _count(consumer_pool, "effects")()
        await asyncio.sleep(10)
        await asyncio.to_thread(broker.start)
        await writer
        await eventually(_at_least(_count(consumer_pool, "effects"), total), within=180, what="every effect")
    finally:
        await runner.stop()
        await relay.stop()
        await asyncio.to_thread(broker.stop)
    assert during < total, "the outage must fall inside the run"
    await _assert_exactly_once_in_order(consumer_pool, total, 20)


async def test_a_postgresql_restart_loses_nothing(
    server_dir: Callable[[str], Path], kafka_bootstrap: str, sample: type[Sample]
) -> None:
    total = 1500
    # A folder from the stack's fixture: outside pytest's tmp_path, which other pytest runs lock down.
    server = PostgresServer(server_dir("postgres"), port=free_port())
    await asyncio.to_thread(server.start)
    try:
        async with scratch_database(server.url()) as producer_url, scratch_database(server.url()) as consumer_url:
            producer_pool = await create_pool(producer_url, max_size=4)
            consumer_pool = await create_pool(consumer_url, max_size=6)
            relay = OutboxRelay(producer_pool, kafka_bootstrap, poll_interval=0.5)
            runner = ConsumerRunner(f"{sample.TOPIC}-pg", consumer_pool, kafka_bootstrap, effect_handlers(sample))
            effects = _count(consumer_pool, "effects")
            try:
                await relay.start()
                await runner.start()
                writer = asyncio.create_task(_steady_writer(producer_pool, sample, total, per_second=150))
                await eventually(_at_least(effects, 200), within=60, what="the run to start")
                before = await effects()
                await asyncio.to_thread(server.stop)
                await asyncio.sleep(3)
                await asyncio.to_thread(server.start)
                await writer
                await eventually(_at_least(effects, total), within=180, what="every effect", every=0.5)
                assert before < total, "the restart must fall inside the run"
                await _assert_exactly_once_in_order(consumer_pool, total, 20)
            finally:
                await runner.stop()
                await relay.stop()
                await producer_pool.close()
                await consumer_pool.close()
    finally:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(server.stop)
