"""Kafka helpers for the referral service's integration tests (real broker only)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.structs import OffsetAndMetadata
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here


async def ensure_topics(bootstrap: str, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, num_partitions=4, replication_factor=1) for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    for _ in range(50):
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    raise AssertionError(f"topic {topic} has no partitions")


async def start_group_at_end(bootstrap: str, group: str, topics: list[str]) -> None:
    """Commit the group's offsets at the end of `topics`, so a consumer in it skips history that
    other tests left on the shared broker."""
    await ensure_topics(bootstrap, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [tp for topic in topics for tp in await _partitions(consumer, topic)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in ends.items()})
    finally:
        await consumer.stop()


@dataclass
class Message:
    topic: str
    key: str
    envelope: dict[str, Any]
    headers: dict[str, bytes] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return str(self.envelope["type"])

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.envelope["data"]
        return data


class Collector:
    """Reads topics from their current end, keeping messages whose key is one we care about."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self._bootstrap, self._topics = bootstrap, topics
        self.messages: list[Message] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await ensure_topics(self._bootstrap, self._topics)
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        partitions = [tp for topic in self._topics for tp in await _partitions(consumer, topic)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp, offset in ends.items():
            consumer.seek(tp, offset)
        self._consumer = consumer
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=100)
            for records in batches.values():
                for record in records:
                    if record.value is None:
                        continue
                    try:
                        envelope = json.loads(record.value)
                    except ValueError:  # a dead letter need not be JSON
                        envelope = {"raw": record.value.decode(errors="replace")}
                    self.messages.append(
                        Message(record.topic, (record.key or b"").decode(), envelope, {k: v for k, v in record.headers})
                    )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    def about(self, key: str, topic: str | None = None) -> list[Message]:
        return [m for m in self.messages if m.key == key and (topic is None or m.topic == topic)]


@contextlib.asynccontextmanager
async def collecting(bootstrap: str, topics: list[str]) -> AsyncIterator[Collector]:
    collector = Collector(bootstrap, topics)
    await collector.start()
    try:
        yield collector
    finally:
        await collector.stop()
