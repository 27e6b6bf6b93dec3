"""Replays the service-changed topic into an empty (or behind) read model, many snapshots at a time.

The consumer runner applies one event at a time: an inbox row, a statement and a handler call each,
which is right for the trickle of changes once the directory is loaded, but makes a rebuild from
the whole topic (100,000 services and more) take minutes. A replay needs none of that per event:
the read model keeps the highest revision of each service, so applying a snapshot twice, or an
older one after a newer one, changes nothing, and every fetched batch can be stored in one
statement and one transaction:

- fetch large batches (`max_records`) from every partition at once;
- decode each record exactly as the runner does (`classify`: both CloudEvents modes, the contract's
  validation), keeping the highest revision of each service within the batch;
- store the batch with one statement (`read_model.save_snapshots`), commit, dead-letter the records
  that did not decode (with the reason, as the runner would), and only then commit the offsets.

Offsets are committed to the read model's consumer group, so the runner then starts where the
replay ended. Anything the replay cannot deal with (Kafka or the database gone, another replica
already consuming in the group) ends it early: the runner carries on from the last committed offset.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition
from linkwork_contracts.envelope import decode as decode_envelope
from linkwork_contracts.events import ServiceChangedV1
from linkwork_runtime.kafka_connection import Kafka, client_options
from linkwork_runtime.messaging import Handlers, MessagingMetrics
from linkwork_runtime.messaging.dead_letters.writer import DeadLetterWriter, FailedMessage
from linkwork_runtime.messaging.decoding import Applicable, Poison, Record, classify
from linkwork_runtime.messaging.producer import Publisher
from linkwork_runtime.messaging.retry import Backoff, is_transient

from linkwork_matching.adapters import read_model
from linkwork_matching.adapters.kafka_progress import partitions_of

log = logging.getLogger(__name__)

# Records per fetched batch, hence per transaction. Measured on 100,000 snapshots of about 1.5 kB:
# larger batches gain little once the statement and commit are a small share of the batch.
BATCH_RECORDS = 5000


@dataclass(frozen=True, slots=True)
class ReplayResult:
    records: int  # records read from the topic (tombstones and other types included)
    stored: int  # snapshots written (the highest revision of each service in each batch)
    dead_lettered: int
    seconds: float  # from the first fetch to the last offset commit
    completed: bool  # False: ended early, the consumer runner carries on from the committed offsets
    cpu_seconds: float = 0.0  # this process's CPU time over `seconds`: the replay's own cost, whatever the load

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


class ReadModelReplay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        bootstrap: Kafka,
        handlers: Handlers,
        *,
        group: str,
        topic: str,
        metrics: MessagingMetrics,
        batch_records: int | None = None,
    ) -> None:
        self._pool = pool
        self._bootstrap = bootstrap
        self._handlers = handlers
        self._group = group
        self._topic = topic
        self._metrics = metrics
        self._batch_records = batch_records or BATCH_RECORDS
        self._decode = functools.partial(decode_envelope, accept=frozenset(handlers.types()))

    async def run(self) -> ReplayResult:
        """Replay from the group's committed offsets up to the end of the topic as it is now."""
        started, cpu_started = time.perf_counter(), time.process_time()
        records = stored = dead = 0
        try:
            partitions = await partitions_of(self._bootstrap, self._topic)
        except (KafkaError, OSError) as error:
            log.warning("read model replay: could not read the topic's partitions: %r", error)
            return ReplayResult(0, 0, 0, time.perf_counter() - started, completed=False)
        if not partitions:
            return ReplayResult(0, 0, 0, time.perf_counter() - started, completed=True)
        consumer = AIOKafkaConsumer(
            **client_options(self._bootstrap),
            group_id=self._group,
            client_id=f"{self._group}-replay",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._batch_records,
            # Fetch far ahead: the client fetches the next batch while this one is decoded and stored.
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        publisher = Publisher(self._bootstrap, f"{self._group}-dead-letters")
        dead_letters = DeadLetterWriter(publisher, self._group, self._metrics, Backoff(initial=0.5, maximum=10.0))
        completed = False
        try:
            await consumer.start()
            # Assigned, not subscribed: no group rebalance to wait for; the offsets are the group's.
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            remaining = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
            started, cpu_started = time.perf_counter(), time.process_time()
            while remaining:
                fetched = await consumer.getmany(*remaining, timeout_ms=1000, max_records=self._batch_records)
                if fetched:
                    batch = await self._apply(fetched, dead_letters)
                    records += batch.records
                    stored += batch.stored
                    dead += batch.dead_lettered
                    await consumer.commit({tp: rs[-1].offset + 1 for tp, rs in fetched.items()})
                remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
            completed = True
        except Exception as error:  # the runner, started next, retries whatever this could not do
            if not (is_transient(error) or isinstance(error, KafkaError | OSError)):
                log.exception("read model replay failed; the consumer runner carries on")
            else:
                log.warning("read model replay ended early; the consumer runner carries on: %r", error)
        finally:
            await consumer.stop()
            await publisher.stop()
        return ReplayResult(
            records, stored, dead, time.perf_counter() - started, completed, time.process_time() - cpu_started
        )

    async def _apply(self, fetched: dict[TopicPartition, list[Record]], dead_letters: DeadLetterWriter) -> ReplayResult:
        latest: dict[object, read_model.Snapshot] = {}
        poison: list[FailedMessage] = []
        count = 0
        with _no_cyclic_gc():
            for partition_records in fetched.values():
                for record in partition_records:
                    count += 1
                    item = classify(record, self._decode, self._handlers)
                    if isinstance(item, Poison):
                        poison.append((item.record, item.error, 1))
                    elif isinstance(item, Applicable) and isinstance(item.event, ServiceChangedV1):
                        event = item.event
                        held = latest.get(event.service_id)
                        if held is None or held.revision < event.revision:
                            latest[event.service_id] = read_model.Snapshot(
                                event.service_id,
                                event.revision,
                                event.status.value,
                                orjson.dumps(item.envelope.data).decode(),
                            )
        snapshots = sorted(latest.values(), key=lambda s: s.service_id)
        async with self._pool.acquire() as connection, connection.transaction():
            await read_model.save_snapshots(connection, snapshots)
        # After the effect and before the offsets, as the runner does: a crash in between writes the
        # dead letters again on the next replay, which is harmless; losing one is not.
        if poison and not await dead_letters.write(poison, asyncio.Event()):
            raise RuntimeError("dead letters not written")
        self._metrics.processed.labels(self._group, self._topic).inc(count - len(poison))
        return ReplayResult(count, len(snapshots), len(poison), 0.0, completed=True)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Decoding a batch allocates hundreds of thousands of short-lived objects without cycles; the
    cyclic collector would walk them again and again for nothing (reference counting frees them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
