"""One share of a rebuild's replay: some partitions read from their start into fact tables.

A share runs in its own process (decoding is the replay's most expensive step and Python runs it
on one core), with its own Kafka consumer and database connection. Shares never write the same
rows: a fact's key belongs to one event's aggregate, and each topic's events of one kind land
in one table, so two processes storing facts at once cannot wait on each other.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from linkwork_contracts.envelope import decode_kafka
from linkwork_contracts.events import Event
from linkwork_runtime.kafka_connection import Kafka, client_options

from linkwork_outcomes.adapters import fact_store, provider_store
from linkwork_outcomes.adapters.event_facts import CONSUMED, FactBatch, facts_of
from linkwork_outcomes.adapters.provider_store import PROVIDER_LOOP

ACCEPTED = frozenset(event_type.TYPE for event_type in (*CONSUMED, *PROVIDER_LOOP))


@dataclass(frozen=True)
class Share:
    database_url: str
    bootstrap: Kafka
    ends: tuple[tuple[str, int, int], ...]  # (topic, partition, end offset): read [0, end)
    batch_events: int = 5000


@dataclass
class Replayed:
    records: int = 0
    events: int = 0
    skipped: int = 0  # tombstones and records that do not decode (the live consumer dead-letters those)


async def _store(connection: asyncpg.Connection, batch: FactBatch, loop: list[Event]) -> None:
    async with connection.transaction():
        await fact_store.store(connection, batch, queue=False)
        for event in loop:  # few beside the referral events: stored one by one, as the live consumer does
            await provider_store.store(connection, event)


async def replay_share(share: Share) -> Replayed:
    counts = Replayed()
    ends = {TopicPartition(topic, partition): end for topic, partition, end in share.ends}
    if not ends:
        return counts
    connection = await asyncpg.connect(share.database_url)
    consumer = AIOKafkaConsumer(
        **client_options(share.bootstrap),
        enable_auto_commit=False,
        group_id=None,
        auto_offset_reset="earliest",
        max_poll_records=share.batch_events,
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    try:
        consumer.assign(list(ends))
        await consumer.seek_to_beginning(*ends)
        remaining, batch, loop = set(ends), FactBatch(), list[Event]()
        storing: asyncio.Task[None] | None = None
        while remaining:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=share.batch_events)
            for tp, records in fetched.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue  # published after the rebuild started: the live consumer has it
                    counts.records += 1
                    if record.value is None:
                        counts.skipped += 1
                        continue
                    try:
                        envelope, event = decode_kafka(record.value, record.headers, accept=ACCEPTED)
                    except Exception:  # poison: the live consumer dead-lettered it and stored nothing
                        counts.skipped += 1
                        continue
                    if isinstance(event, PROVIDER_LOOP):
                        loop.append(event)
                    else:
                        facts_of(event, envelope.time, batch)
                    counts.events += 1
            for tp in list(remaining):
                # The position, not the last offset seen: compaction leaves gaps in offsets.
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
                    consumer.pause(tp)
            if len(batch) + len(loop) >= share.batch_events or not remaining:
                # PostgreSQL stores one batch while this process decodes the next.
                if storing is not None:
                    await storing
                storing = asyncio.create_task(_store(connection, batch, loop))
                batch, loop = FactBatch(), []
        if storing is not None:
            await storing
    finally:
        await consumer.stop()
        await connection.close()
    return counts


def run_share(share: Share) -> Replayed:
    """Entry point of a replay process."""
    # Millions of short-lived objects without reference cycles: reference counting frees them,
    # and the cyclic collector would only walk the heap over and over.
    gc.disable()
    return asyncio.run(replay_share(share))
