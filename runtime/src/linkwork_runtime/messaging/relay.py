"""The outbox relay: publishes committed outbox rows to Kafka, then deletes them.

Ordering with several replicas: exactly one relay per database is active. Each replica tries to take a
session-level advisory lock on one dedicated connection; the holder relays, the others retry every poll
interval and take over when the holder's connection ends (crash, SIGKILL, network loss). The active
relay claims and deletes on that same connection, so it cannot go on deleting rows after losing the lock.
We chose this over per-key sharding because it needs no membership protocol, and one relay already
publishes far more than linkwork produces; rows are still claimed `FOR UPDATE SKIP LOCKED`, so even two
relays that briefly both believe they lead never publish the same row at the same time.

Each round claims up to `batch_size` of the oldest rows in one transaction, publishes them in waves with
at most one event per key in flight (waves.py), deletes the acknowledged rows and commits. A relay
killed after publishing but before committing publishes those rows again on restart: consumers drop the
duplicates through their inbox. After a takeover, any late duplicates from the old relay repeat a prefix
of what the new one publishes, so the first copy of each event is still in commit order.

A row Kafka refuses for good (too large, an invalid topic) would otherwise be retried for ever in front of
every later row: it is moved to `outbox_parked` with its reason, counted in `linkwork_outbox_parked_total`
(alerted on), and the relay carries on. Events of the same key after it are published without it.

The relay sleeps until a NOTIFY from the outbox trigger or the poll interval, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from typing import Any

import asyncpg

from linkwork_runtime.kafka_connection import Kafka
from linkwork_runtime.messaging.metrics import MessagingMetrics
from linkwork_runtime.messaging.producer import OutgoingRecord, Publisher, refused_for_good
from linkwork_runtime.messaging.redaction import safe_message
from linkwork_runtime.messaging.retry import Backoff, pause
from linkwork_runtime.messaging.waves import waves

log = logging.getLogger(__name__)

CHANNEL = "linkwork_outbox"
LEADER_LOCK = (7_202_612, 1)  # (class, object) advisory lock key: "the outbox relay of this database"

_CLAIM = """
SELECT id, event_id, topic, key, value, headers FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
"""
_DELETE = "DELETE FROM outbox WHERE id = ANY($1::bigint[])"
_PARK = """
WITH parked AS (DELETE FROM outbox WHERE id = $1 RETURNING *)
INSERT INTO outbox_parked (id, event_id, topic, key, value, headers, created_at, reason)
SELECT id, event_id, topic, key, value, headers, created_at, $2 FROM parked
"""
_BACKLOG = "SELECT count(*), extract(epoch FROM now() - min(created_at)) FROM outbox"


def _record(row: asyncpg.Record) -> OutgoingRecord:
    headers: dict[str, str] = row["headers"]
    return OutgoingRecord(
        topic=row["topic"],
        value=row["value"],
        key=row["key"].encode(),
        headers=[(name, value.encode()) for name, value in headers.items()],
    )


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        bootstrap: Kafka,
        *,
        client_id: str = "linkwork-relay",
        batch_size: int = 1000,
        poll_interval: float = 1.0,
        metrics: MessagingMetrics | None = None,
        metrics_interval: float = 5.0,
        backoff: Backoff | None = None,
    ) -> None:
        self._pool = pool
        self._publisher = Publisher(bootstrap, client_id)
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._metrics = metrics or MessagingMetrics()
        self._metrics_interval = metrics_interval
        self._next_metrics = 0.0
        self._backoff = backoff or Backoff(initial=0.5, maximum=10.0)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.leading = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, grace: float = 15.0) -> None:
        """Publish what is already committed (for up to `grace` seconds), then stop."""
        if self._task is None:
            return
        self._stopping.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            log.warning("outbox relay did not drain within %.0fs; remaining rows stay for the next run", grace)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        finally:
            self._task = None
            await self._publisher.stop()

    async def _run(self) -> None:
        failures = 0
        while True:  # even when stopped before it got going, it first publishes what is committed
            try:
                async with self._pool.acquire() as connection:
                    await self._serve(connection)
                return
            except Exception as error:
                self.leading = False
                failures += 1
                log.warning("outbox relay lost its database connection: %r", error)
                if not await pause(self._stopping, self._backoff.delay(failures)):
                    return

    async def _serve(self, connection: asyncpg.Connection) -> None:
        await connection.add_listener(CHANNEL, self._notified)
        try:
            while not await connection.fetchval("SELECT pg_try_advisory_lock($1, $2)", *LEADER_LOCK):
                await self._refresh_metrics(connection)
                if not await pause(self._stopping, self._poll_interval):
                    return
            self.leading = True
            await self._lead(connection)
        finally:
            self.leading = False
            # Returning the connection to the pool also runs UNLISTEN and releases the advisory lock;
            # removing our callback here only matters if the connection is still usable.
            with contextlib.suppress(Exception):
                await connection.remove_listener(CHANNEL, self._notified)

    async def _lead(self, connection: asyncpg.Connection) -> None:
        failures = 0
        while True:
            self._wake.clear()
            published, failure = await self._relay_batch(connection)
            await self._refresh_metrics(connection)
            if failure is not None:
                failures += 1
                log.warning("publishing from the outbox failed (attempt %d): %r", failures, failure)
                if not await pause(self._stopping, self._backoff.delay(failures)):
                    return
                continue
            failures = 0
            if published >= self._batch_size:
                continue
            if self._stopping.is_set():
                return  # drained: everything committed before stop() was called is published
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)

    async def _relay_batch(self, connection: asyncpg.Connection) -> tuple[int, BaseException | None]:
        """Publish one batch; return how many rows were published and the first failure, if any."""
        acknowledged: list[int] = []
        published: Counter[str] = Counter()  # by topic, counted once per batch: a metric call per row is slow
        failure: BaseException | None = None
        async with connection.transaction():
            rows = await connection.fetch(_CLAIM, self._batch_size)
            for wave in waves(rows, key=lambda row: (row["topic"], row["key"])):
                outcomes = await self._publisher.publish([_record(row) for row in wave])
                for row, outcome in zip(wave, outcomes, strict=True):
                    if outcome is None:
                        acknowledged.append(row["id"])
                        published[row["topic"]] += 1
                    elif refused_for_good(outcome):
                        await self._park(connection, row, outcome)
                    elif failure is None:
                        failure = outcome
                if failure is not None:
                    break
            if acknowledged:
                await connection.execute(_DELETE, acknowledged)
        # Counted once the deletion is committed, so the count includes no row that will be published again.
        for topic, count in published.items():
            self._metrics.published.labels(topic).inc(count)
        return len(acknowledged), failure

    async def _park(self, connection: asyncpg.Connection, row: asyncpg.Record, error: BaseException) -> None:
        reason = f"{type(error).__name__}: {safe_message(error)}"
        await connection.execute(_PARK, row["id"], reason)
        self._metrics.outbox_parked.labels(row["topic"], type(error).__name__).inc()
        log.error("outbox row %d (event %s, %s) parked: %s", row["id"], row["event_id"], row["topic"], reason)

    async def _refresh_metrics(self, connection: asyncpg.Connection) -> None:
        now = time.monotonic()
        if now < self._next_metrics:
            return
        self._next_metrics = now + self._metrics_interval
        count, age = await connection.fetchrow(_BACKLOG)
        self._metrics.outbox_backlog.set(count)
        self._metrics.outbox_oldest_age.set(float(age or 0.0))

    def _notified(self, *_: Any) -> None:
        self._wake.set()
