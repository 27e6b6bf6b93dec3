"""Apply a run of records from one partition in a single database transaction.

The whole run is tried optimistically in one transaction: one inbox insert for all its event ids (read
with `peek_id`, without decoding), then, in order, each new event is decoded, handed to its handler and
dropped. Events already applied are skipped without being decoded. Decoding just in time matters: keeping
a whole batch of decoded events alive makes Python's garbage collector promote and rescan them, which
costs more than the decoding itself.

If a handler fails, the transaction is rolled back and the run is cut just before the failing record: the
part before it is applied again (it succeeded a moment ago) and committed, and the caller decides what to
do with the failing record (retry later or dead-letter). This isolates a bad message as savepoints would,
without a savepoint's two extra round trips for every message, and it keeps per-key order: nothing after
the failing record is applied before the failing record is settled.

A record that does not decode (poison) is offered to the consumer's refusal hook, if any, inside the run's
transaction (in a savepoint, so a failing hook cannot spoil the run). A poison or ignored record is settled
with the run, its inbox
row removed so that a replay after a fix is applied. A transient error (database gone, deadlock,
serialization failure) rolls back and propagates: the caller backs off and tries the same run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import asyncpg

from linkwork_runtime.messaging import inbox, redaction
from linkwork_runtime.messaging.decoding import Applicable, Ignored, Item, Poison, Record
from linkwork_runtime.messaging.handlers import RefusalHook
from linkwork_runtime.messaging.inbox import EventKey
from linkwork_runtime.messaging.retry import is_transient

Classify = Callable[[Record], Item]
log = logging.getLogger(__name__)

_STILL_USABLE = "SELECT 1"


@dataclass(frozen=True)
class BatchResult:
    settled: int  # records from the start of the run that are done with (committed, skipped or poison)
    applied: int = 0  # of which events whose handler ran and committed
    duplicates: int = 0  # of which events already applied earlier, skipped
    poison: list[Poison] = field(default_factory=list)  # of which these are for the dead-letter topic
    ignored: list[Ignored] = field(default_factory=list)
    failure: BaseException | None = None  # the handler error of records[settled], when the run was cut


class _HandlerFailed(Exception):
    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


async def apply_batch(
    connection: asyncpg.Connection,
    consumer: str,
    records: Sequence[Record],
    event_ids: Sequence[EventKey | None],
    classify: Classify,
    observe: Callable[[float], None],
    refuse: RefusalHook | None = None,
) -> BatchResult:
    """`event_ids[i]` is `peek_id` of `records[i]`."""
    run = _Run(connection, consumer, classify, observe, refuse)
    limit, failure, careful = len(records), None, False
    while limit > 0:
        try:
            result = await run.apply(records[:limit], event_ids[:limit], careful)
        except _HandlerFailed as failed:
            limit, failure = failed.index, failed.error
            continue
        except asyncpg.InFailedSQLTransactionError:
            if careful:
                raise
            careful = True  # some handler swallowed a database error: find which, one message at a time
            continue
        return BatchResult(limit, *result, failure=failure)
    return BatchResult(0, failure=failure)


@dataclass(frozen=True)
class _Run:
    """What stays the same while `apply_batch` tries shorter and shorter starts of one run."""

    connection: asyncpg.Connection
    consumer: str
    classify: Classify
    observe: Callable[[float], None]
    refuse: RefusalHook | None

    async def apply(
        self, records: Sequence[Record], event_ids: Sequence[EventKey | None], careful: bool
    ) -> tuple[int, int, list[Poison], list[Ignored]]:
        connection, consumer = self.connection, self.consumer
        applied, duplicates = 0, 0
        poison: list[Poison] = []
        ignored: list[Ignored] = []
        unclaim: list[EventKey] = []
        async with connection.transaction():
            claimable = list(dict.fromkeys(event_id for event_id in event_ids if event_id is not None))
            new = await inbox.claim(connection, consumer, claimable)
            for index, (record, event_id) in enumerate(zip(records, event_ids, strict=True)):
                if event_id is not None and event_id not in new:
                    duplicates += 1
                    continue
                item = self.classify(record)
                if event_id is not None:
                    new.discard(event_id)  # a second copy later in the same run is a duplicate
                    if isinstance(item, Applicable) and (item.envelope.source, item.envelope.id) != event_id:
                        # The key claimed in the inbox must be the one the event carries: a message that repeats
                        # "id" or "source" could otherwise be applied under one key and claim another's.
                        item = Poison(record, ValueError("the envelope repeats its id or source attribute"))
                if not isinstance(item, Applicable):
                    if isinstance(item, Poison):
                        poison.append(item)
                        await self._refuse(item)
                    else:
                        ignored.append(item)
                    if event_id is not None:
                        unclaim.append(event_id)
                    continue
                started = time.perf_counter()
                try:
                    await item.handler(item.event, item.envelope, connection)
                    if careful:
                        await connection.execute(_STILL_USABLE)
                except Exception as error:
                    if is_transient(error):
                        raise
                    raise _HandlerFailed(index, error) from error
                finally:
                    self.observe(time.perf_counter() - started)
                applied += 1
                del item  # drop the decoded event now, not at the end of the run
            if unclaim:
                await inbox.unclaim(connection, consumer, unclaim)
            # COMMIT of a transaction that a handler left aborted (it caught a database error and carried on)
            # silently rolls back; this statement fails instead, so the run is never reported as applied.
            await connection.execute(_STILL_USABLE)
        return applied, duplicates, poison, ignored

    async def _refuse(self, item: Poison) -> None:
        if self.refuse is None:
            return
        try:
            async with self.connection.transaction():  # a savepoint: a failing hook leaves the run intact
                await self.refuse(item.record, item.error, self.connection)
        except Exception as error:
            if is_transient(error):
                raise
            # The message still goes to the dead-letter topic, where operators see it.
            log.error(
                "%s: refusal hook failed for offset %d: %s",
                self.consumer,
                item.record.offset,
                redaction.describe(error),
            )
