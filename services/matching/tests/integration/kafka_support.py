"""Talking to the real broker in tests: create topics, publish events, watch a topic from its end."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from linkwork_contracts.envelope import CONTENT_TYPE, CloudEvent, encode, wrap
from linkwork_contracts.events import Event
from linkwork_matching.adapters.kafka_progress import partitions_of
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here

SOURCE = "urn:linkwork:matching-tests"


async def ensure_topics(bootstrap: str, names: Iterable[str], *, compacted: Iterable[str] = ()) -> None:
    compact = set(compacted)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name,
                num_partitions=4,
                replication_factor=1,
                topic_configs={"cleanup.policy": "compact"} if name in compact else {},
            )
            for name in names
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def publish(bootstrap: str, topic: str, items: Iterable[Event | CloudEvent]) -> None:
    """Publish events (wrapped in a new envelope) or ready envelopes (as they are), in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for item in items:
            envelope = item if isinstance(item, CloudEvent) else wrap(item, source=SOURCE)
            await producer.send_and_wait(
                topic,
                encode(envelope),
                key=str(envelope.subject).encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Message:
    topic: str
    key: str
    envelope: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.envelope["data"]
        return data


class Tail:
    """Everything published to some topics after `start`, for the keys a test cares about."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self._bootstrap, self._topics = bootstrap, topics
        self.messages: list[Message] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await ensure_topics(self._bootstrap, self._topics)
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        partitions = [tp for topic in self._topics for tp in await partitions_of(self._bootstrap, topic)]
        consumer.assign(partitions)
        for tp, offset in (await consumer.end_offsets(partitions)).items():
            consumer.seek(tp, offset)
        self._consumer = consumer
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._consumer is not None
        while True:
            for records in (await self._consumer.getmany(timeout_ms=100)).values():
                self.messages.extend(
                    Message(r.topic, (r.key or b"").decode(), json.loads(r.value))
                    for r in records
                    if r.value is not None
                )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    def keyed(self, key: str) -> list[Message]:
        return [m for m in self.messages if m.key == key]


@contextlib.asynccontextmanager
async def tail(bootstrap: str, *topics: str) -> AsyncIterator[Tail]:
    watcher = Tail(bootstrap, list(topics))
    await watcher.start()
    try:
        yield watcher
    finally:
        await watcher.stop()
