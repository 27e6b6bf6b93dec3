"""Reading a dead-letter topic, and publishing dead letters back to their original topics."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer

from linkwork_runtime.kafka_connection import Kafka, client_options
from linkwork_runtime.messaging.dead_letters import DeadLetter, from_record
from linkwork_runtime.messaging.producer import OutgoingRecord, Publisher

REPLAYED_FROM = "replayed-from"  # kept if the message fails again, so its history stays readable


async def read(bootstrap: Kafka, dlq_topic: str) -> list[DeadLetter]:
    """Every dead letter currently in `dlq_topic`, oldest first per partition. Commits nothing."""
    if not await _exists(bootstrap, dlq_topic):  # subscribing would create it
        return []
    consumer = AIOKafkaConsumer(
        dlq_topic, **client_options(bootstrap), enable_auto_commit=False, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = sorted(consumer.assignment())
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        remaining = {tp for tp in partitions if await consumer.position(tp) < end[tp]}
        while remaining:
            for tp, records in (await consumer.getmany(*remaining, timeout_ms=1000)).items():
                letters.extend(
                    from_record(r.key, r.value, list(r.headers), r.partition, r.offset)
                    for r in records
                    if r.offset < end[tp]
                )
            remaining = {tp for tp in remaining if await consumer.position(tp) < end[tp]}
        return letters
    finally:
        await consumer.stop()


async def _exists(bootstrap: Kafka, topic: str) -> bool:
    probe = AIOKafkaConsumer(**client_options(bootstrap), group_id=None)
    await probe.start()
    try:
        return topic in await probe.topics()
    finally:
        await probe.stop()


async def replay(bootstrap: Kafka, dlq_topic: str, letters: Sequence[DeadLetter]) -> list[DeadLetter]:
    """Publish each letter's original message to its original topic; return those the broker refused."""
    records = [
        OutgoingRecord(
            topic=letter.failure.topic,
            value=letter.value or b"",
            key=letter.key,
            headers=[
                *letter.headers,
                (REPLAYED_FROM, f"{dlq_topic}/{letter.dlq_partition}/{letter.dlq_offset}".encode()),
            ],
        )
        for letter in letters
    ]
    publisher = Publisher(bootstrap, "linkwork-dead-letter-replay")
    try:
        outcomes = await publisher.publish(records)
    finally:
        await publisher.stop()
    return [letter for letter, outcome in zip(letters, outcomes, strict=True) if outcome is not None]
