"""Small helpers shared by every test suite (runtime, each service, end-to-end), so each has one copy."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import UnknownTopicOrPartitionError
from aiokafka.structs import OffsetAndMetadata
from linkwork_runtime.kafka_connection import Kafka, client_options
from linkwork_runtime.settings import ConsumerSettings

from linkwork_stack.kafka import create_missing_topics, raise_topic_errors

T = TypeVar("T")
S = TypeVar("S", bound=ConsumerSettings)


async def eventually(
    check: Callable[[], Awaitable[T] | T],
    *,
    within: float = 60.0,
    what: str = "condition",
    every: float = 0.2,
    tolerate: tuple[type[BaseException], ...] = (),
) -> T:
    """Poll `check()` (sync or async) until it returns something truthy, and return that.

    `within` is a guard against hanging, not a speed assertion. Errors of the `tolerate` types count as
    "not yet" (a service still starting refuses connections); on giving up, the last one is shown and chained,
    so its traceback says where it came from.
    """
    deadline = time.monotonic() + within
    last: object = None
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            last = result
        except tolerate as error:
            last = error
        if time.monotonic() > deadline:
            cause = last if isinstance(last, BaseException) else None
            raise AssertionError(f"gave up after {within:.0f}s waiting for {what}; last value: {last!r}") from cause
        await asyncio.sleep(every)


async def ensure_topics(bootstrap: Kafka, topics: Iterable[str], *, compacted: Iterable[str] = ()) -> None:
    """Create those of `topics` the broker lacks (4 partitions each, log compaction for those also in
    `compacted`); another test racing to create one is fine."""
    compact = set(compacted)
    await create_missing_topics(
        bootstrap,
        [
            NewTopic(
                t,
                num_partitions=4,
                replication_factor=1,
                topic_configs={"cleanup.policy": "compact"} if t in compact else {},
            )
            for t in topics
        ],
    )


async def produce(bootstrap: str, records: Iterable[tuple[str, bytes | None, bytes]]) -> None:
    """Publish (topic, key, value) records as they are, in order, and return once the broker has every one
    (a failed send raises here)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = [await producer.send(topic, value, key=key) for topic, key, value in records]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """Every partition of `topic`, waiting for it to reach the consumer's metadata (a new topic may not have)."""
    # A topic created a moment ago may not be in the consumer's metadata yet.
    for _ in range(50):
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    raise AssertionError(f"topic {topic} has no partitions")


async def start_group_at_end(bootstrap: Kafka, group: str, topics: list[str]) -> None:
    """Commit `group`'s offsets at the end of `topics` (created if missing), so a consumer in it skips the
    history other tests left on the shared broker."""
    await ensure_topics(bootstrap, topics)
    consumer = AIOKafkaConsumer(**client_options(bootstrap), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [tp for topic in topics for tp in await topic_partitions(consumer, topic)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in ends.items()})
    finally:
        await consumer.stop()


@dataclass(frozen=True)
class KafkaMessage:
    """One record a `Tail` read, its value parsed as a JSON envelope."""

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


class TailDied(RuntimeError):
    """A `Tail`'s reader failed, so no more messages will arrive; the reader's error is the cause."""


class Tail:
    """Everything published to some topics after `start` (read from their current end), so a test can
    look up the messages for the keys it cares about among those other tests leave on the shared broker.

    If the reader fails (broker gone, a record it cannot decode), reading the tail (`keyed`, `arrived`) and
    `stop` raise `TailDied` at once, rather than a test waiting out its timeout for messages that cannot come.
    """

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self._bootstrap, self._topics = bootstrap, topics
        self.messages: list[KafkaMessage] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._death_reported = False

    async def start(self) -> None:
        await ensure_topics(self._bootstrap, self._topics)
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        partitions = [tp for topic in self._topics for tp in await topic_partitions(consumer, topic)]
        consumer.assign(partitions)
        for tp, offset in (await consumer.end_offsets(partitions)).items():
            consumer.seek(tp, offset)
        self._consumer = consumer
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._consumer is not None
        while True:
            for records in (await self._consumer.getmany(timeout_ms=100)).values():
                for record in records:
                    if record.value is None:
                        continue
                    try:
                        envelope = json.loads(record.value)
                    except ValueError:  # a dead letter need not be JSON
                        envelope = {"raw": record.value.decode(errors="replace")}
                    key, headers = (record.key or b"").decode(), dict(record.headers)
                    self.messages.append(KafkaMessage(record.topic, key, envelope, headers))

    def _raise_if_dead(self) -> None:
        """Raise `TailDied` if the reader has ended: it reads until `stop`, which forgets it, so it ended by
        failing (or by someone else cancelling it)."""
        if self._task is None or not self._task.done():
            return
        self._death_reported = True
        what = f"the tail of {', '.join(self._topics)} died"
        if self._task.cancelled():
            raise TailDied(f"{what}: its reader was cancelled")
        error = self._task.exception()
        raise TailDied(f"{what}: its reader failed with {error!r}") from error

    async def stop(self) -> None:
        """Stop reading; raise `TailDied` if the reader had failed and nothing has said so yet."""
        try:
            if self._task is not None and not self._task.done():
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
                self._task = None
            if not self._death_reported:
                self._raise_if_dead()
        finally:
            if self._consumer is not None:
                await self._consumer.stop()
                self._consumer = None

    def keyed(self, key: str, topic: str | None = None) -> list[KafkaMessage]:
        """The messages with this key (on this topic, when given), oldest first per partition."""
        self._raise_if_dead()
        return [m for m in self.messages if m.key == key and (topic is None or m.topic == topic)]

    async def arrived(
        self, key: str, topic: str | None = None, count: int = 1, *, within: float = 30.0
    ) -> list[KafkaMessage]:
        """Wait until at least `count` messages with this key (on this topic) have been read; return them all."""
        await eventually(
            lambda: len(self.keyed(key, topic)) >= count, within=within, what=f"{count} x {topic or 'any'} for {key}"
        )
        return self.keyed(key, topic)


@contextlib.asynccontextmanager
async def tail(bootstrap: str, *topics: str) -> AsyncIterator[Tail]:
    """A started `Tail` of `topics`, stopped on leaving."""
    watcher = Tail(bootstrap, list(topics))
    await watcher.start()
    try:
        yield watcher
    finally:
        await watcher.stop()


class SmtpInbox:
    """What a test SMTP server accepted; addresses in `refuse` get a permanent 550 at RCPT."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[int, SmtpInbox]]:
    """A real SMTP server (aiosmtpd) on a free port, collecting what it accepts."""
    from aiosmtpd.controller import Controller  # only the suites that send email need it

    from linkwork_stack.ports import free_port

    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def topic_prefix() -> str:
    """A topic-name prefix no other test uses, so tests sharing a broker never see each other's events."""
    return f"test-{uuid.uuid4().hex[:10]}-"


async def delete_topics(bootstrap: Kafka, prefix: str) -> None:
    """Remove every topic named `<prefix>...`: a test's own, and the dead-letter topics its consumers created."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap))
    await admin.start()
    try:
        mine = [topic for topic in await admin.list_topics() if topic.startswith(prefix)]
        if mine:
            response = await admin.delete_topics(mine)
            raise_topic_errors("delete", response.topic_error_codes, UnknownTopicOrPartitionError)
    finally:
        await admin.close()


async def groups_behind(bootstrap: Kafka) -> dict[str, int]:
    """Per consumer group still behind, how many records it has not committed past, from Kafka's own books.

    A service's `linkwork_consumer_lag` gauge is only as fresh as its last fetch: just after a restart it reads 0
    (or is absent) while the restarted consumer has not fetched yet. The committed offsets against the end of
    each partition are what a test of quiescence can rely on. A partition a group has never committed on is not
    counted (a group with nothing committed there has no position to be behind from)."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap))
    consumer = AIOKafkaConsumer(**client_options(bootstrap), enable_auto_commit=False)
    await admin.start()
    try:
        await consumer.start()
        behind: dict[str, int] = {}
        topics = set(await admin.list_topics())
        for group, *_ in await admin.list_consumer_groups():
            # Offsets kept for topics deleted since (other tests' own topics) have no end to be behind.
            committed = {
                tp: mark for tp, mark in (await admin.list_consumer_group_offsets(group)).items() if tp.topic in topics
            }
            ends = await consumer.end_offsets(list(committed)) if committed else {}
            missing = sum(max(0, ends[tp] - mark.offset) for tp, mark in committed.items() if mark.offset >= 0)
            if missing:
                behind[group] = missing
        return behind
    finally:
        await consumer.stop()
        await admin.close()


def consumer_settings(
    settings: type[S], database_url: str, bootstrap: str, prefix: str, *, jwt_secret: str, **more: Any
) -> S:
    """`settings` of a service that consumes, in a test world: its own database, the shared broker, its topics
    under `prefix` (see `own_topics`), a consumer group no other test uses (named after the service's default
    group) and the tests' token secret; `more` sets what one suite or test needs besides."""
    group = settings.model_fields["consumer_group"].default
    return settings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        consumer_group=f"{group}-{uuid.uuid4().hex[:8]}",
        jwt_secret=jwt_secret,
        **more,
    )


@contextlib.asynccontextmanager
async def own_topics(bootstrap: Kafka, topics: Iterable[str], *, compacted: Iterable[str] = ()) -> AsyncIterator[str]:
    """A fresh prefix (yielded) with `<prefix><topic>` created for each of `topics` (log-compacted for those
    also in `compacted`, as a deployment's service-changed is); afterwards every topic under the prefix is
    deleted, so the shared broker does not fill up with tests' topics."""
    prefix = topic_prefix()
    await ensure_topics(
        bootstrap, [prefix + topic for topic in topics], compacted=[prefix + topic for topic in compacted]
    )
    try:
        yield prefix
    finally:
        await delete_topics(bootstrap, prefix)
