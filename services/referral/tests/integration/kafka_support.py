"""Kafka helpers for the referral service's integration tests (real broker only)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from linkwork_contracts import topics
from linkwork_stack.testing import ensure_topics, topic_partitions
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here
from linkwork_stack.testing import start_group_at_end as start_group_at_end

# The topics a referral's journey from creation to closure publishes to, for tests that collect them.
OUTGOING = [
    topics.REFERRAL_CREATED,
    topics.PLAN_AGREED,
    topics.FOLLOW_UP_DUE,
    topics.FOLLOW_UP_RECORDED,
    topics.REFERRAL_CLOSED,
]


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
        partitions = [tp for topic in self._topics for tp in await topic_partitions(consumer, topic)]
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
