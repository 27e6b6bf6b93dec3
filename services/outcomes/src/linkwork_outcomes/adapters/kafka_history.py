"""The rebuild's Kafka side: the end offsets of the consumed topics, and a share's records read from offset 0.

Records are decoded exactly as the live consumer decodes them and turned into facts by the same `facts_of`,
so a rebuilt database equals the live one row for row. A share runs in its own process (decoding is the
replay's most expensive step and Python runs it on one core), with its own consumer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from linkwork_contracts.envelope import decode_kafka
from linkwork_runtime.kafka_connection import Kafka, client_options

from linkwork_outcomes.adapters.event_facts import CONSUMED, facts_of
from linkwork_outcomes.adapters.provider_store import PROVIDER_LOOP
from linkwork_outcomes.service_layer.ports import HistoryChunk, Share

ACCEPTED = frozenset(event_type.TYPE for event_type in (*CONSUMED, *PROVIDER_LOOP))


def consumed_topics(topic_prefix: str = "") -> list[str]:
    """Every topic the service consumes: several versions share a topic; the provider loop's too (issue 17)."""
    return sorted({topic_prefix + event_type.TOPIC for event_type in (*CONSUMED, *PROVIDER_LOOP)})


class KafkaHistory:
    """The event history port (service_layer/ports.py): where each partition of the topics ends now."""

    def __init__(self, bootstrap: Kafka, topics: list[str]) -> None:
        self._bootstrap, self._topics = bootstrap, topics

    async def _partitions(self) -> list[TopicPartition]:
        """Every partition of the topics that exist (a topic never written to may not)."""
        admin = AIOKafkaAdminClient(**client_options(self._bootstrap))
        await admin.start()
        try:
            described = await admin.describe_topics(self._topics)
        finally:
            await admin.close()
        return sorted(
            TopicPartition(topic["topic"], partition["partition"])
            for topic in described
            if topic["error_code"] == 0
            for partition in topic["partitions"]
        )

    async def end_offsets(self) -> dict[tuple[str, int], int]:
        partitions = await self._partitions()
        if not partitions:
            return {}
        consumer = AIOKafkaConsumer(**client_options(self._bootstrap), enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
            return {(tp.topic, tp.partition): end for tp, end in ends.items() if end > 0}
        finally:
            await consumer.stop()


class KafkaShareHistory:
    """The share history port: the share's partitions read from their start up to its end offsets."""

    def __init__(self, bootstrap: Kafka, share: Share, batch_events: int = 5000) -> None:
        self._bootstrap, self._batch_events = bootstrap, batch_events
        self._ends = {TopicPartition(topic, partition): end for topic, partition, end in share}

    async def chunks(self) -> AsyncIterator[HistoryChunk]:
        ends = self._ends
        if not ends:
            return
        consumer = AIOKafkaConsumer(
            **client_options(self._bootstrap),
            enable_auto_commit=False,
            group_id=None,
            auto_offset_reset="earliest",
            max_poll_records=self._batch_events,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        await consumer.start()
        try:
            consumer.assign(list(ends))
            await consumer.seek_to_beginning(*ends)
            remaining, chunk = set(ends), HistoryChunk()
            while remaining:
                fetched = await consumer.getmany(timeout_ms=1000, max_records=self._batch_events)
                for tp, records in fetched.items():
                    for record in records:
                        if record.offset >= ends[tp]:
                            continue  # published after the rebuild started: the live consumer has it
                        chunk.counts.records += 1
                        if record.value is None:
                            chunk.counts.skipped += 1
                            continue
                        try:
                            envelope, event = decode_kafka(record.value, record.headers, accept=ACCEPTED)
                        except Exception:  # poison: the live consumer dead-lettered it and stored nothing
                            chunk.counts.skipped += 1
                            continue
                        if isinstance(event, PROVIDER_LOOP):
                            chunk.provider_events.append(event)
                        else:
                            facts_of(event, envelope.time, chunk.facts)
                        chunk.counts.events += 1
                for tp in list(remaining):
                    # The position, not the last offset seen: compaction leaves gaps in offsets.
                    if await consumer.position(tp) >= ends[tp]:
                        remaining.discard(tp)
                        consumer.pause(tp)
                if len(chunk.facts) + len(chunk.provider_events) >= self._batch_events or not remaining:
                    yield chunk
                    chunk = HistoryChunk()
        finally:
            await consumer.stop()
