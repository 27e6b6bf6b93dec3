"""Read a whole Kafka topic as it stands now: for tests and tools that check what was published."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from linkwork_runtime.kafka_connection import Kafka, client_options


async def _partitions(bootstrap: Kafka, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**client_options(bootstrap))
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description.get("error_code"):  # e.g. the topic does not exist (yet)
        return []
    return sorted(TopicPartition(topic, p["partition"]) for p in description["partitions"])


async def read_topic(bootstrap: Kafka, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record from the first offset to the end offsets seen at the start; no consumer group."""
    partitions = await _partitions(bootstrap, topic)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(**client_options(bootstrap), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, items in batch.items():
                records.extend(r for r in items if r.offset < ends[tp])
            # Positions, not record offsets: compaction may have removed the offsets just before the end.
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        return records
    finally:
        await consumer.stop()
