"""The operator tool: list dead letters and publish them again, run as operators run it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.topics import dlq
from linkwork_runtime.messaging import Backoff, ConsumerRunner, Handlers, RetryPolicy
from messaging_support import Sample, eventually, produce_raw, read_topic, record_effect, sample_message

pytestmark = pytest.mark.integration


async def _tool(bootstrap: str, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "linkwork_runtime.messaging.dead_letters",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": bootstrap},
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_an_operator_lists_a_dead_letter_and_replays_it_once_the_cause_is_fixed(
    pool: asyncpg.Pool, kafka_bootstrap: str, sample: type[Sample]
) -> None:
    broken = {"now": True}
    handlers = Handlers()

    @handlers.on(sample)
    async def needs_a_fix(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        if broken["now"] and event.seq == 2:
            raise LookupError("no plan found for this referral")
        await record_effect(event, envelope, connection)

    await produce_raw(kafka_bootstrap, sample.TOPIC, [sample_message(sample, "one", s) for s in (1, 2, 3)])
    runner = ConsumerRunner(
        f"{sample.TOPIC}-tool",
        pool,
        kafka_bootstrap,
        handlers,
        retry=RetryPolicy(max_attempts=2, backoff=Backoff(initial=0.05, maximum=0.1)),
    )
    await runner.start()
    try:
        await read_topic(kafka_bootstrap, dlq(sample.TOPIC), 1)
        await eventually(_effects_reach(pool, 2), within=60, what="the events around the failing one")

        output = await _tool(kafka_bootstrap, "list", sample.TOPIC, "--json")
        listed = [json.loads(line) for line in output.splitlines()]
        assert len(listed) == 1
        letter = listed[0]
        assert letter["consumer"] == runner.name
        assert (letter["error_type"], letter["error_message"]) == ("LookupError", "no plan found for this referral")
        assert (letter["topic"], letter["offset"], letter["attempts"], letter["key"]) == (sample.TOPIC, 1, 2, "one")
        assert await _tool(kafka_bootstrap, "list", sample.TOPIC, "--consumer", "someone-else") == ""

        broken["now"] = False
        output = await _tool(kafka_bootstrap, "replay", dlq(sample.TOPIC), "--offset", letter["dlq_position"])
        assert output.startswith("replayed 1 of 1")
        await eventually(_effects_reach(pool, 3), within=60, what="the replayed event")
    finally:
        await runner.stop()
    rows = await pool.fetch("SELECT seq FROM effects ORDER BY id")
    assert [row["seq"] for row in rows] == [1, 3, 2]


def _effects_reach(pool: asyncpg.Pool, n: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return int(await pool.fetchval("SELECT count(*) FROM effects")) >= n

    return check


async def test_listing_a_topic_without_dead_letters_prints_nothing(kafka_bootstrap: str, topic_name: str) -> None:
    assert await _tool(kafka_bootstrap, "list", topic_name) == ""
