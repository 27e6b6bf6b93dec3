"""Apply a run of messages from one partition in a single database transaction.

The whole run is tried optimistically in one transaction: one inbox insert for all its event ids, then each
new event's handler in order. If a handler fails, the transaction is rolled back and the run is cut just
before the failing message: the part before it is applied again (it succeeded a moment ago) and committed,
and the caller decides what to do with the failing message (retry later or dead-letter). This isolates a
bad message as savepoints would, without a savepoint's two extra round trips for every message, and it
keeps per-key order: nothing after the failing message is applied before the failing message is settled.

A transient error (database gone, deadlock, serialization failure) rolls back and propagates: the caller
backs off and tries the same run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg

from linkwork_runtime.messaging import inbox
from linkwork_runtime.messaging.decoding import Applicable, Item
from linkwork_runtime.messaging.retry import is_transient


@dataclass(frozen=True)
class BatchResult:
    settled: int  # items from the start of the run that are done with (committed, skipped or poison)
    applied: int  # of which events whose handler ran and committed
    duplicates: int  # of which events already applied earlier, skipped
    failure: BaseException | None = None  # the handler error of items[settled], when the run was cut


_STILL_USABLE = "SELECT 1"


class _HandlerFailed(Exception):
    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


async def apply_batch(
    connection: asyncpg.Connection,
    consumer: str,
    items: Sequence[Item],
    observe: Callable[[float], None],
) -> BatchResult:
    limit, failure, careful = len(items), None, False
    while limit > 0:
        try:
            applied, duplicates = await _apply(connection, consumer, items[:limit], observe, careful)
        except _HandlerFailed as failed:
            limit, failure = failed.index, failed.error
            continue
        except asyncpg.InFailedSQLTransactionError:
            if careful:
                raise
            careful = True  # some handler swallowed a database error: find which, one message at a time
            continue
        return BatchResult(limit, applied, duplicates, failure)
    return BatchResult(0, 0, 0, failure)


async def _apply(
    connection: asyncpg.Connection,
    consumer: str,
    items: Sequence[Item],
    observe: Callable[[float], None],
    careful: bool,
) -> tuple[int, int]:
    events = [item for item in items if isinstance(item, Applicable)]
    if not events:
        return 0, 0
    applied = 0
    async with connection.transaction():
        new = await inbox.claim(connection, consumer, list(dict.fromkeys(e.event_id for e in events)))
        for index, item in enumerate(items):
            if not isinstance(item, Applicable) or item.event_id not in new:
                continue
            new.discard(item.event_id)  # a second copy later in the same run is a duplicate
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
                observe(time.perf_counter() - started)
            applied += 1
        # COMMIT of a transaction that a handler left aborted (it caught a database error and carried on)
        # silently rolls back; this statement fails instead, so the run is never reported as applied.
        await connection.execute(_STILL_USABLE)
    return applied, len(events) - applied
