"""Publishing to Kafka with an idempotent producer (acks=all), waiting for the broker's acknowledgement.

`Publisher.publish` reports an outcome per record instead of raising, because the relay must know exactly
which rows the broker accepted. A producer that returned an error is replaced: after a failed batch the
aiokafka idempotent producer can be left with a gap in its sequence numbers, after which every later
batch to that partition fails. A timeout alone does not replace it: the records stay queued and are
retried by the producer. When the relay offers such a record again (its row is still in the outbox), the
publisher waits for that first send instead of sending a second copy, so a Kafka outage does not publish
events twice; the consumers' inbox still removes any copy that gets through another way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    UnsupportedForMessageFormatError,
)

from linkwork_runtime.kafka_connection import Kafka, client_options
from linkwork_runtime.messaging.partitioner import Murmur2Partitioner

log = logging.getLogger(__name__)


# What Kafka says about a record itself, so that sending it again can never succeed. Authorisation and
# unknown-topic errors are left out: they are configuration, fixed by an operator, and the record is fine.
_REFUSED_FOR_GOOD = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    UnsupportedForMessageFormatError,
)


def refused_for_good(error: BaseException | None) -> bool:
    return isinstance(error, _REFUSED_FOR_GOOD)


@dataclass(frozen=True)
class OutgoingRecord:
    topic: str
    value: bytes
    key: bytes | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def create_producer(bootstrap: Kafka, client_id: str, *, partitioner: Any = None) -> AIOKafkaProducer:
    """`partitioner`: by default ours, which gives the same partitions as aiokafka's, faster (partitioner.py)."""
    return AIOKafkaProducer(
        **client_options(bootstrap),
        client_id=client_id,
        partitioner=partitioner or Murmur2Partitioner(),
        enable_idempotence=True,
        acks="all",
        # Records queue up while a request is in flight, so batches form without waiting for a linger.
        linger_ms=0,
        max_batch_size=256 * 1024,
        request_timeout_ms=15_000,
    )


class Publisher:
    def __init__(self, bootstrap: Kafka, client_id: str, *, ack_timeout: float = 15.0) -> None:
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._ack_timeout = ack_timeout
        self._producer: AIOKafkaProducer | None = None
        # Held while a producer starts: callers arriving meanwhile (a consumer's partitions dead-lettering at
        # once) wait for it instead of each starting one, of which only the last would ever be closed.
        self._starting = asyncio.Lock()
        self._retired: set[asyncio.Task[None]] = set()
        # Sends whose acknowledgement the caller stopped waiting for, by record: see publish.
        self._unconfirmed: dict[tuple[str, bytes | None, bytes], asyncio.Future[object]] = {}

    async def _ready(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        async with self._starting:
            if self._producer is None:
                producer = create_producer(self._bootstrap, self._client_id)
                try:
                    await producer.start()
                except BaseException:
                    await _close(producer, within=1.0)
                    raise
                self._producer = producer
            return self._producer

    async def publish(self, records: Sequence[OutgoingRecord]) -> list[BaseException | None]:
        """Send every record and wait for its acknowledgement; return None or the failure, per record."""
        if not records:
            return []
        try:
            producer = await self._ready()
        except Exception as error:  # no broker reachable yet: the same outcome as a refused record
            return [error] * len(records)
        outcomes: list[BaseException | None] = [None] * len(records)
        waiting: dict[int, asyncio.Future[object]] = {}
        unconfirmed = self._unconfirmed  # empty unless an acknowledgement timed out: skip the lookups then
        for index, record in enumerate(records):
            earlier = unconfirmed.pop(_identity(record), None) if unconfirmed else None
            if earlier is not None and (not earlier.done() or _delivered(earlier)):
                # Sent before, still queued in the producer or acknowledged after the caller gave up:
                # sending it again would publish it twice.
                waiting[index] = earlier
                continue
            try:
                waiting[index] = await producer.send(record.topic, record.value, key=record.key, headers=record.headers)
            except Exception as error:
                if refused_for_good(error):  # this record alone (e.g. too large): the others still go
                    outcomes[index] = error
                    continue
                # Queue full for too long, or the producer is closing: none of the rest can go now.
                outcomes[index:] = [error] * (len(records) - index)
                break
        if waiting:
            await _all_done(list(waiting.values()), self._ack_timeout)
        for index, future in waiting.items():
            if not future.done():
                outcomes[index] = TimeoutError(f"no acknowledgement within {self._ack_timeout:.0f}s")
                future.add_done_callback(_ignore_late_outcome)
                self._remember(records[index], future)
            elif future.cancelled():
                outcomes[index] = asyncio.CancelledError("the send was cancelled")
            elif (failure := future.exception()) is not None:
                outcomes[index] = failure
        if any(o is not None and not isinstance(o, TimeoutError) and not refused_for_good(o) for o in outcomes):
            self._retire()
        return outcomes

    def _remember(self, record: OutgoingRecord, future: asyncio.Future[object]) -> None:
        if len(self._unconfirmed) >= MAX_UNCONFIRMED:
            # Rows another relay replica published since are never offered here again: forget settled sends.
            for identity in [key for key, value in self._unconfirmed.items() if value.done()]:
                del self._unconfirmed[identity]
        self._unconfirmed[_identity(record)] = future

    def _retire(self) -> None:
        """Swap in a fresh producer on next use; close the old one in the background."""
        if self._producer is None:
            return
        task = asyncio.create_task(_close(self._producer, within=5.0))
        self._retired.add(task)
        task.add_done_callback(self._retired.discard)
        self._producer = None

    async def stop(self) -> None:
        async with self._starting:  # a producer still starting is closed too
            if self._producer is not None:
                await _close(self._producer, within=10.0)
                self._producer = None
        if self._retired:
            await asyncio.gather(*self._retired, return_exceptions=True)


MAX_UNCONFIRMED = 10_000


def _identity(record: OutgoingRecord) -> tuple[str, bytes | None, bytes]:
    return (record.topic, record.key, record.value)


async def _all_done(futures: list[asyncio.Future[object]], within: float) -> None:
    """`asyncio.wait(futures, timeout=within)`, cheaper for a large batch: the last record sent is
    usually among the last acknowledged, so wait for it first and only then for any still pending."""
    deadline = asyncio.get_running_loop().time() + within
    await asyncio.wait(futures[-1:], timeout=within)
    pending = [future for future in futures if not future.done()]
    remaining = deadline - asyncio.get_running_loop().time()
    if pending and remaining > 0:
        await asyncio.wait(pending, timeout=remaining)


def _delivered(future: asyncio.Future[object]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _ignore_late_outcome(future: asyncio.Future[object]) -> None:
    # Whatever happens to a record we stopped waiting for, the caller publishes it again.
    if not future.cancelled():
        future.exception()


async def _close(producer: AIOKafkaProducer, *, within: float) -> None:
    # stop() flushes what is queued; with the broker gone that would wait forever.
    try:
        await asyncio.wait_for(producer.stop(), within)
    except Exception as error:
        log.warning("Kafka producer did not close cleanly: %r", error)
