"""Rebuild: empty the projections and replay every consumed topic from its beginning.

The replay reads each partition from offset 0 up to the end offsets taken after the tables were
emptied, decodes records exactly as the live consumer does, turns them into facts with the same
`facts_of`, stores them with the same `fact_store.store` (thousands per statement), in parallel
processes (replay.py), and then summarises every referral with the projector's own functions
(bulk_projection.py). So a rebuilt database equals the live one row for row.

While it runs, it holds the projector's lock, so a live service's projector waits; the live
consumer may keep storing facts, which are idempotent, and the projector catches up afterwards.
Order: tables are emptied first, then end offsets are read, so an event the live consumer stored
before the emptying is always at an offset the replay reads.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from linkwork_runtime.kafka_connection import Kafka, client_options

from linkwork_outcomes.adapters import projection_store
from linkwork_outcomes.adapters.event_facts import CONSUMED
from linkwork_outcomes.adapters.provider_store import PROVIDER_LOOP
from linkwork_outcomes.service_layer.bulk_projection import project_everything
from linkwork_outcomes.service_layer.replay import Replayed, Share, replay_share, run_share

log = logging.getLogger(__name__)


@dataclass
class RebuildResult:
    records: int = 0
    events: int = 0
    skipped: int = 0  # tombstones, other event types, and records that do not decode (the live consumer's DLQ)
    referrals: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        total = sum(self.seconds.values())
        return self.records / total if total else 0.0


async def _partitions(bootstrap: Kafka, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the topics that exist (a topic never written to may not)."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap))
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return sorted(
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in topic["partitions"]
    )


async def _end_offsets(bootstrap: Kafka, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(**client_options(bootstrap), enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return {tp: end for tp, end in ends.items() if end > 0}
    finally:
        await consumer.stop()


def _shares(database_url: str, bootstrap: Kafka, ends: dict[TopicPartition, int], workers: int) -> list[Share]:
    """Partitions dealt out by number: one referral's events share a partition number across topics."""
    dealt: list[list[tuple[str, int, int]]] = [[] for _ in range(workers)]
    for tp, end in sorted(ends.items()):
        dealt[tp.partition % workers].append((tp.topic, tp.partition, end))
    return [Share(database_url, bootstrap, tuple(share)) for share in dealt if share]


async def _replay(shares: list[Share]) -> list[Replayed]:
    if len(shares) <= 1:
        return [await replay_share(share) for share in shares]
    loop = asyncio.get_running_loop()
    # Fresh interpreters ("spawn"): forking a process that holds open connections is unsafe.
    with ProcessPoolExecutor(max_workers=len(shares), mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(await asyncio.gather(*(loop.run_in_executor(pool, run_share, share) for share in shares)))


async def rebuild(database_url: str, bootstrap: Kafka, topic_prefix: str = "", *, workers: int = 1) -> RebuildResult:
    """Empty the projections of the (migrated) database at `database_url` and refill them from Kafka."""
    result = RebuildResult()
    # Several versions share a topic; the provider loop's topics too (issue 17).
    topics = sorted({topic_prefix + event_type.TOPIC for event_type in (*CONSUMED, *PROVIDER_LOOP)})
    connection = await asyncpg.connect(database_url)
    reader = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()  # emptying the tables counts as part of the replay
        async with projection_store.rebuilding(connection):
            partitions = await _partitions(bootstrap, topics)
            ends = await _end_offsets(bootstrap, partitions) if partitions else {}
            for counts in await _replay(_shares(database_url, bootstrap, ends, max(1, workers))):
                result.records += counts.records
                result.events += counts.events
                result.skipped += counts.skipped
            result.seconds["replay"] = time.perf_counter() - started
            started = time.perf_counter()
            result.referrals = await project_everything(connection, reader)
            result.seconds["projection"] = time.perf_counter() - started
    finally:
        await reader.close()
        await connection.close()
    log.info(
        "rebuild done",
        extra={
            "records": result.records,
            "events": result.events,
            "skipped": result.skipped,
            "referrals": result.referrals,
        },
    )
    return result
