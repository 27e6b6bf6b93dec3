"""The consumer runner: reads the topics a consumer handles and feeds one worker per partition.

    runner = ConsumerRunner("matching", pool, bootstrap, handlers, metrics=metrics)
    await runner.start()
    ...
    await runner.stop()

Kafka offsets are committed by hand (auto-commit is off), and only for records already settled by their
partition's worker (partition.py), i.e. after the database transaction holding their effects and inbox rows
has committed. A crash before the offset commit replays those records; the inbox turns the replay into a
no-op. Partitions are applied concurrently, each on its own database connection; within a partition,
records are applied in order, so events with the same key stay in order.

Settled offsets are committed in the background (commits.py). When a partition's worker has
`max_buffered` records waiting, the runner pauses fetching that partition; it resumes once the worker
makes progress. On a rebalance, workers of revoked partitions finish the
transaction in hand and their offsets are committed before the partitions go to another consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener
from aiokafka.structs import TopicPartition
from linkwork_contracts.envelope import decode as decode_envelope

from linkwork_runtime.kafka_connection import Kafka, client_options
from linkwork_runtime.messaging.commits import OffsetCommitter
from linkwork_runtime.messaging.decoding import Decode, Record
from linkwork_runtime.messaging.handlers import Handlers
from linkwork_runtime.messaging.metrics import MessagingMetrics
from linkwork_runtime.messaging.partition import PartitionWorker, WorkerContext
from linkwork_runtime.messaging.producer import Publisher
from linkwork_runtime.messaging.retry import Backoff, RetryPolicy, pause

if TYPE_CHECKING:
    from linkwork_runtime.context import Component, ServiceContext
    from linkwork_runtime.settings import ConsumerSettings

log = logging.getLogger(__name__)


def optional_consumer(
    settings: ConsumerSettings, group: str, context: ServiceContext, handlers: Handlers
) -> list[Component]:
    """The service's consumer of `handlers` in consumer group `group`, or none when LINKWORK_CONSUME is off
    (the service then works from what it has)."""
    if not settings.consume:
        return []
    return [ConsumerRunner(group, context.pool, settings.kafka, handlers, metrics=MessagingMetrics(context.registry))]


class ConsumerRunner:
    def __init__(
        self,
        name: str,
        pool: asyncpg.Pool,
        bootstrap: Kafka,
        handlers: Handlers,
        *,
        metrics: MessagingMetrics | None = None,
        retry: RetryPolicy | None = None,
        batch_size: int = 500,
        max_buffered: int | None = None,
        decode: Decode | None = None,
        commit_timeout: float = 10.0,
        consumer_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not handlers:
            raise ValueError(f"consumer {name} has no handlers")
        self.name = name
        self._bootstrap = bootstrap
        self._topics = sorted(handlers.topics())
        self._publisher = Publisher(bootstrap, f"{name}-dead-letters")
        self._context = WorkerContext(
            consumer=name,
            pool=pool,
            handlers=handlers,
            dead_letters=self._publisher,
            # Types this consumer has no handler for, or versions it does not know, are dead letters.
            decode=decode or functools.partial(decode_envelope, accept=frozenset(handlers.types())),
            metrics=metrics or MessagingMetrics(),
            retry=retry or RetryPolicy(),
            batch_size=batch_size,
        )
        self._max_buffered = max_buffered or 4 * batch_size
        self._commit_timeout = commit_timeout
        # Extra AIOKafkaConsumer settings, e.g. {"group_instance_id": "matching-0"} (static membership: a
        # restarted replica gets its partitions back at once instead of after the session timeout).
        self._consumer_options = dict(consumer_options or {})
        self._consumer: AIOKafkaConsumer | None = None
        self._workers: dict[TopicPartition, PartitionWorker] = {}
        self._paused: set[TopicPartition] = set()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._commits: OffsetCommitter | None = None

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    async def start(self) -> None:
        settings: dict[str, Any] = {
            **client_options(self._bootstrap),
            "group_id": self.name,
            "client_id": self.name,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            # Fetch well ahead of the workers: per-partition queues absorb it (see max_buffered).
            "max_poll_records": 4 * self._context.batch_size,
            # A topic that does not exist yet when we subscribe is noticed at the next metadata refresh;
            # the default of five minutes would leave a freshly deployed consumer idle that long.
            "metadata_max_age_ms": 5_000,
        }
        consumer = AIOKafkaConsumer(**{**settings, **self._consumer_options})
        await consumer.start()
        consumer.subscribe(self._topics, listener=_Rebalance(self))
        self._consumer = consumer
        self._commits = OffsetCommitter(consumer, self.name, timeout=self._commit_timeout)
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self) -> None:
        """Finish the transactions in hand, commit their offsets, leave the group and close."""
        if self._consumer is None:
            return
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self._release(list(self._workers))
        if self._commits is not None:
            await self._commits.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._consumer.stop(), self._commit_timeout)
        await self._publisher.stop()
        self._consumer = None

    async def _run(self) -> None:
        assert self._consumer is not None
        consumer = self._consumer
        outages = 0
        backoff = Backoff(initial=0.5, maximum=10.0)
        while not self._stopping.is_set():
            try:
                fetched = await consumer.getmany(timeout_ms=200)
            except Exception as error:
                outages += 1
                log.warning("consumer %s: fetch failed (%d): %r", self.name, outages, error)
                await pause(self._stopping, backoff.delay(outages))
                continue
            outages = 0
            try:
                self._dispatch(consumer, fetched)
            except Exception:  # a bug here must not silently end consumption
                log.exception("consumer %s: dispatching fetched records failed", self.name)
                await pause(self._stopping, 1.0)

    def _dispatch(self, consumer: AIOKafkaConsumer, fetched: dict[TopicPartition, list[Record]]) -> None:
        for tp, records in fetched.items():
            worker = self._workers.get(tp)
            if worker is None:
                worker = self._workers[tp] = PartitionWorker(tp, self._context, self._progress)
            worker.put(records)
            if worker.backlog >= self._max_buffered and tp not in self._paused:
                consumer.pause(tp)
                self._paused.add(tp)
        for tp, worker in self._workers.items():
            worker.report_lag(consumer.highwater(tp))

    def _progress(self, tp: TopicPartition, next_offset: int) -> None:
        if self._commits is not None:
            self._commits.settled(tp, next_offset)
        worker = self._workers.get(tp)
        if tp in self._paused and worker is not None and worker.backlog < self._max_buffered:
            self._paused.discard(tp)
            if self._consumer is not None and tp in self._consumer.assignment():
                self._consumer.resume(tp)

    async def _release(self, partitions: list[TopicPartition]) -> None:
        """Stop the workers of `partitions` after their transaction in hand, and commit their offsets."""
        workers = [self._workers.pop(tp) for tp in partitions if tp in self._workers]
        await asyncio.gather(*(worker.stop() for worker in workers))
        for worker in workers:
            worker.forget_lag()  # another consumer reports this partition now
        if self._commits is not None:
            await self._commits.flush(partitions)
        self._paused.difference_update(partitions)


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: ConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._runner._release(list(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        pass  # workers start with the first records fetched for a partition
