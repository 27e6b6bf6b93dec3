"""Committing settled offsets to Kafka, off the fetch loop.

Workers report `settled(tp, next_offset)` once the records before `next_offset` are committed in the
database (or dead-lettered). A background task commits whatever has been settled; one commit carries all
that the workers settled while the previous one was in flight, so commits never hold up fetching and
their number does not grow with throughput. A failed commit is kept and retried with backoff: losing it
would only mean a replay, which the inbox absorbs, but retrying keeps replays short.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from linkwork_runtime.messaging.retry import Backoff

log = logging.getLogger(__name__)


class OffsetCommitter:
    def __init__(self, consumer: AIOKafkaConsumer, name: str, *, timeout: float = 10.0) -> None:
        self._consumer = consumer
        self._name = name
        self._timeout = timeout
        self._pending: dict[TopicPartition, int] = {}
        self._settled = asyncio.Event()
        self._lock = asyncio.Lock()  # one commit at a time, so an older offset never lands after a newer
        self._task = asyncio.create_task(self._run(), name=f"commit-{name}")

    def settled(self, tp: TopicPartition, next_offset: int) -> None:
        self._pending[tp] = next_offset
        self._settled.set()

    async def flush(self, partitions: Iterable[TopicPartition]) -> None:
        """Commit now what is settled for `partitions` (they are being given up); once, no retry."""
        final = {tp: self._pending.pop(tp) for tp in partitions if tp in self._pending}
        await self._commit(final)

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        failures = 0
        while True:
            await self._settled.wait()
            self._settled.clear()
            if await self._commit(self._pending):
                failures = 0
                continue
            failures += 1
            self._settled.set()  # still pending
            await asyncio.sleep(Backoff(initial=0.2, maximum=5.0).delay(failures))

    async def _commit(self, offsets: dict[TopicPartition, int]) -> bool:
        """Commit `offsets` (emptying it); on failure put them back and return False."""
        async with self._lock:
            assigned = self._consumer.assignment()
            batch = {tp: offset for tp, offset in offsets.items() if tp in assigned}
            offsets.clear()
            if not batch:
                return True
            try:
                await asyncio.wait_for(self._consumer.commit(batch), self._timeout)
            except Exception as error:
                log.warning("consumer %s: offset commit failed, will retry: %r", self._name, error)
                for tp, offset in batch.items():
                    offsets[tp] = max(offset, offsets.get(tp, offset))
                return False
            return True
