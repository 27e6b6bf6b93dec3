"""One assigned partition's worker: applies its records in order, retries, dead-letters, reports progress.

Records arrive from the runner's fetch loop into a queue; the worker takes up to `batch_size` at a time and
applies them in one transaction (batch.py). Its only output is `progress(tp, next_offset)`, called once
the records before `next_offset` are settled (their effects committed, or dead-lettered with the DLQ
write acknowledged), which is when the runner may commit that offset to Kafka.

While the worker backs off, nothing else from the partition is applied and the runner stops fetching it
(flow control through the queue length), so a failing partition waits instead of spinning and other
partitions carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka.structs import TopicPartition

from linkwork_runtime.messaging import redaction
from linkwork_runtime.messaging.batch import BatchResult, apply_batch
from linkwork_runtime.messaging.dead_letters.writer import DeadLetterWriter
from linkwork_runtime.messaging.decoding import Decode, Item, Record, classify, peek_record_id
from linkwork_runtime.messaging.handlers import Handlers
from linkwork_runtime.messaging.metrics import MessagingMetrics, observe_all
from linkwork_runtime.messaging.producer import Publisher
from linkwork_runtime.messaging.retry import RetryPolicy, is_permanent, is_transient, pause

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerContext:
    consumer: str
    pool: asyncpg.Pool
    handlers: Handlers
    decode: Decode
    dead_letters: Publisher
    metrics: MessagingMetrics
    retry: RetryPolicy
    batch_size: int


class PartitionWorker:
    def __init__(
        self, tp: TopicPartition, context: WorkerContext, progress: Callable[[TopicPartition, int], None]
    ) -> None:
        self.tp = tp
        self._context = context
        self._progress = progress
        self._queue: deque[Record] = deque()
        self._has_work = asyncio.Event()
        self._stopping = asyncio.Event()
        self._position: int | None = None  # offset of the next record to settle
        self._highwater: int | None = None
        labels = (context.consumer, tp.topic)
        metrics = context.metrics
        self._applied = metrics.processed.labels(*labels)
        self._duplicates = metrics.skipped.labels(*labels, "duplicate")
        self._transient_retries = metrics.retried.labels(*labels, "transient")
        self._handler_retries = metrics.retried.labels(*labels, "handler")
        self._handler_seconds = metrics.handler_seconds.labels(*labels)
        self._durations: list[float] = []  # handler times of the run in hand, observed together (observe_all)
        self._lag = metrics.consumer_lag.labels(*labels, str(tp.partition))
        self._dead_letters = DeadLetterWriter(context.dead_letters, context.consumer, metrics, context.retry.backoff)
        self._task = asyncio.create_task(self._run(), name=f"consume-{tp.topic}-{tp.partition}")

    @property
    def backlog(self) -> int:
        return len(self._queue)

    def put(self, records: Sequence[Record]) -> None:
        if self._position is None and records:
            self._position = records[0].offset
        self._queue.extend(records)
        self._has_work.set()

    def report_lag(self, highwater: int | None) -> None:
        if highwater is not None:
            self._highwater = highwater
        if self._highwater is not None and self._position is not None:
            self._lag.set(max(0, self._highwater - self._position))

    def forget_lag(self) -> None:
        with contextlib.suppress(KeyError):
            self._context.metrics.consumer_lag.remove(self._context.consumer, self.tp.topic, str(self.tp.partition))

    async def stop(self) -> None:
        """Finish the database transaction in hand, drop what is queued, and end."""
        self._stopping.set()
        self._has_work.set()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            if not self._queue:
                self._has_work.clear()
                await self._has_work.wait()
                continue
            count = min(len(self._queue), self._context.batch_size)
            records = [self._queue.popleft() for _ in range(count)]
            try:
                await self._process(records)
                failures = 0
            except Exception:
                # Not a handler's error nor a known transient one (those are handled inside): put the
                # unsettled records back and try again later rather than skip past them.
                failures += 1
                log.exception("%s on %s: unexpected failure %d", self._context.consumer, self.tp, failures)
                position = self._position if self._position is not None else records[0].offset
                self._queue.extendleft(reversed([r for r in records if r.offset >= position]))
                await pause(self._stopping, self._context.retry.backoff.delay(failures))

    async def _process(self, records: list[Record]) -> None:
        context = self._context
        event_ids = [peek_record_id(record) for record in records]
        start, attempts, outages = 0, 0, 0
        while start < len(records) and not self._stopping.is_set():
            try:
                async with context.pool.acquire() as connection:
                    try:
                        result = await apply_batch(
                            connection,
                            context.consumer,
                            records[start:],
                            event_ids[start:],
                            self._classify,
                            self._durations.append,
                            context.handlers.refused,
                        )
                    finally:
                        observe_all(self._handler_seconds, self._durations)
                        self._durations.clear()
            except Exception as error:
                if not is_transient(error):
                    raise
                outages += 1
                self._transient_retries.inc()
                log.warning("%s on %s: transient failure, retry %d: %r", context.consumer, self.tp, outages, error)
                await pause(self._stopping, context.retry.backoff.delay(outages))
                continue
            outages = 0
            if result.settled:
                if not await self._settle(records[start + result.settled - 1], result):
                    return
                start, attempts = start + result.settled, 0  # a failure from here on is a new one
            if result.failure is None:
                continue
            attempts += 1
            failing = records[start]
            permanent = is_permanent(result.failure)
            if attempts < context.retry.max_attempts and not permanent:
                self._handler_retries.inc()
                log.warning(
                    "%s on %s offset %d: handler failed (attempt %d): %s",
                    context.consumer,
                    self.tp,
                    failing.offset,
                    attempts,
                    redaction.describe(result.failure),
                )
                await pause(self._stopping, context.retry.backoff.delay(attempts))
                continue
            log.error(
                "%s on %s offset %d: dead-lettering after %d attempts: %s",
                context.consumer,
                self.tp,
                failing.offset,
                attempts,
                redaction.describe(result.failure),
            )
            if permanent and not await self._refuse(failing, result.failure):
                return
            if not await self._dead_letters.write([(failing, result.failure, attempts)], self._stopping):
                return
            start, attempts = start + 1, 0
            self._advance(failing.offset + 1)

    async def _refuse(self, record: Record, error: BaseException) -> bool:
        """Offer a permanently failed record to the refusal hook in its own transaction; False if stopped.

        Before the dead letter is written: a crash in between replays the record, which fails again and is
        refused again (the hook should give its event a deterministic id so the sender sees it once)."""
        hook, outages = self._context.handlers.refused, 0
        while hook is not None and not self._stopping.is_set():
            try:
                async with self._context.pool.acquire() as connection, connection.transaction():
                    await hook(record, error, connection)
                return True
            except Exception as failure:
                if not is_transient(failure):
                    log.error(
                        "%s on %s: refusal hook failed: %s",
                        self._context.consumer,
                        self.tp,
                        redaction.describe(failure),
                    )
                    return True  # the dead letter still reaches operators
                outages += 1
                await pause(self._stopping, self._context.retry.backoff.delay(outages))
        return hook is None

    def _classify(self, record: Record) -> Item:
        return classify(record, self._context.decode, self._context.handlers)

    async def _settle(self, last: Record, result: BatchResult) -> bool:
        """Count what the committed run did and dead-letter its poison; False if stopped meanwhile."""
        self._applied.inc(result.applied)
        self._duplicates.inc(result.duplicates)
        for item in result.ignored:
            self._context.metrics.skipped.labels(self._context.consumer, self.tp.topic, item.reason).inc()
        poison = [(item.record, item.error, 1) for item in result.poison]
        if poison and not await self._dead_letters.write(poison, self._stopping):
            return False
        self._advance(last.offset + 1)
        return True

    def _advance(self, next_offset: int) -> None:
        self._position = next_offset
        self.report_lag(None)
        self._progress(self.tp, next_offset)
