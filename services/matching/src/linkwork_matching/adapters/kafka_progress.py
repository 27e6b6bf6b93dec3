"""How far a consumer group has got through a topic, from Kafka's own committed offsets."""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from linkwork_runtime.kafka_connection import Kafka, client_options

log = logging.getLogger(__name__)
UNKNOWN_TOPIC = 3  # Kafka error code UNKNOWN_TOPIC_OR_PARTITION


async def partitions_of(bootstrap: Kafka, topic: str) -> list[TopicPartition]:
    """The topic's partitions; none if the topic does not exist (yet)."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap))
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description.get("error_code") == UNKNOWN_TOPIC:
        return []
    return [
        TopicPartition(topic, p["partition"]) for p in sorted(description["partitions"], key=lambda p: p["partition"])
    ]


async def wait_until_caught_up(bootstrap: Kafka, group: str, topic: str, *, patience: float, poll: float = 0.2) -> bool:
    """Wait until `group` has committed past every record `topic` held when called.

    True when caught up (or the topic does not exist yet), False after `patience` seconds.
    """
    partitions = await partitions_of(bootstrap, topic)
    if not partitions:
        return True
    consumer = AIOKafkaConsumer(
        **client_options(bootstrap), group_id=group, enable_auto_commit=False, client_id=f"{group}-progress"
    )
    await consumer.start()
    try:
        # Assigning (never fetching) makes the client load the topic's metadata.
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        pending = {tp for tp in partitions if ends[tp] > starts[tp]}
        deadline = time.monotonic() + patience
        while pending:
            for tp in list(pending):
                committed = await consumer.committed(tp)
                if committed is not None and committed >= ends[tp]:
                    pending.discard(tp)
            if not pending:
                break
            if time.monotonic() >= deadline:
                log.warning(
                    "group %s still behind on %d partitions of %s after %.0fs", group, len(pending), topic, patience
                )
                return False
            await asyncio.sleep(poll)
        return True
    finally:
        await consumer.stop()
