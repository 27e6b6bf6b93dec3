"""Rebuild: empty the projections and replay every consumed topic from its beginning.

The replay reads each partition from offset 0 up to the end offsets taken after the tables were
emptied, decodes records exactly as the live consumer does, turns them into facts with the same
`facts_of`, stores them with the same `fact_store.store` (thousands per statement), and then
summarises every referral with the projector's own functions (bulk_projection.py). So a rebuilt
database equals the live one row for row.

While it runs, it holds the projector's lock, so a live service's projector waits; the live
consumer may keep storing facts, which are idempotent, and the projector catches up afterwards.
Order: tables are emptied first, then end offsets are read, so an event the live consumer stored
before the emptying is always at an offset the replay reads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from linkwork_contracts.envelope import decode

from linkwork_outcomes.adapters import fact_store
from linkwork_outcomes.adapters.event_facts import CONSUMED, FactBatch, facts_of
from linkwork_outcomes.service_layer.bulk_projection import project_everything
from linkwork_outcomes.service_layer.projection import PROJECTOR_LOCK

log = logging.getLogger(__name__)

PROJECTION_TABLES = (
    "referral_version", "plan_version", "contact", "measurement", "follow_up_due", "closure", "provision_gap",
    "service_label", "suggestion_set", "area_served", "pending_referral",
    "referral_summary", "tally", "outcome_sums",
)  # fmt: skip
ACCEPTED = frozenset(event_type.TYPE for event_type in CONSUMED)


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


async def _partitions(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the topics that exist (a topic never written to may not)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
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


async def _replay(
    connection: asyncpg.Connection, bootstrap: str, topics: list[str], result: RebuildResult, batch_events: int
) -> None:
    partitions = await _partitions(bootstrap, topics)
    if not partitions:
        return
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        auto_offset_reset="earliest",
        max_poll_records=batch_events,
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = {tp: end for tp, end in (await consumer.end_offsets(partitions)).items() if end > 0}
        await consumer.seek_to_beginning(*partitions)
        for tp in partitions:
            if tp not in ends:
                consumer.pause(tp)
        remaining = set(ends)
        batch = FactBatch()
        storing: asyncio.Task[set[str]] | None = None
        while remaining:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=batch_events)
            for tp, records in fetched.items():
                for record in records:
                    if record.offset >= ends.get(tp, 0):
                        continue  # published after the rebuild started: the live consumer has it
                    result.records += 1
                    if record.value is None:
                        result.skipped += 1
                        continue
                    try:
                        envelope, event = decode(record.value, accept=ACCEPTED)
                    except Exception:  # poison: the live consumer dead-lettered it and stored nothing
                        result.skipped += 1
                        continue
                    facts_of(event, envelope.time, batch)
                    result.events += 1
            for tp in list(remaining):
                # The position, not the last offset seen: compaction leaves gaps in offsets.
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
                    consumer.pause(tp)
            if len(batch) >= batch_events or not remaining:
                # PostgreSQL stores one batch while this process decodes the next: two cores at work.
                if storing is not None:
                    await storing
                storing = asyncio.create_task(_store(connection, batch))
                batch = FactBatch()
        if storing is not None:
            await storing
    finally:
        await consumer.stop()


async def _store(connection: asyncpg.Connection, batch: FactBatch) -> set[str]:
    async with connection.transaction():
        return await fact_store.store(connection, batch, queue=False)


async def rebuild(
    connection: asyncpg.Connection,
    reader: asyncpg.Connection,
    bootstrap: str,
    topic_prefix: str = "",
    *,
    batch_events: int = 5000,
) -> RebuildResult:
    """Empty the projections and refill them from Kafka.

    `connection` (migrated already) does the writing and holds the projector's lock; `reader`, a
    second connection to the same database, reads facts for the projection meanwhile.
    """
    result = RebuildResult()
    topics = sorted(topic_prefix + event_type.TOPIC for event_type in CONSUMED)
    await connection.execute("SELECT pg_advisory_lock($1)", PROJECTOR_LOCK)
    try:
        started = time.perf_counter()
        await connection.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES)}")
        await _replay(connection, bootstrap, topics, result, batch_events)
        result.seconds["replay"] = time.perf_counter() - started
        started = time.perf_counter()
        result.referrals = await project_everything(connection, reader)
        result.seconds["projection"] = time.perf_counter() - started
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", PROJECTOR_LOCK)
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
