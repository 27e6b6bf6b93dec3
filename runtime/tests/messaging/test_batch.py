"""One run of records in one transaction (batch.py), against the real PostgreSQL."""

from __future__ import annotations

import contextlib
import functools

import asyncpg
import orjson
import pytest
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import CloudEvent, decode, encode, wrap
from linkwork_runtime.messaging.batch import BatchResult, apply_batch
from linkwork_runtime.messaging.decoding import Record, classify, peek_id
from linkwork_runtime.messaging.handlers import Handler, Handlers
from messaging_support import Sample, record_effect

pytestmark = pytest.mark.integration


def _record(offset: int, value: bytes) -> Record:
    return ConsumerRecord("t", 0, offset, 0, 0, b"k", value, None, 0, len(value), [])


def _event(sample: type[Sample], seq: int, event_id: str) -> bytes:
    return encode(wrap(sample(stream="s", seq=seq), source="test", event_id=event_id))


async def _run(pool: asyncpg.Pool, sample: type[Sample], values: list[bytes], handler: Handler) -> BatchResult:
    handlers = Handlers()
    handlers.add(sample, handler)
    decoder = functools.partial(decode, accept=frozenset(handlers.types()))
    records = [_record(offset, value) for offset, value in enumerate(values)]
    async with pool.acquire() as connection:
        return await apply_batch(
            connection,
            "c",
            records,
            [peek_id(r.value) for r in records],
            functools.partial(classify, decode=decoder, handlers=handlers),
            lambda _: None,
        )


async def _seqs(pool: asyncpg.Pool) -> list[int]:
    return [row["seq"] for row in await pool.fetch("SELECT seq FROM effects ORDER BY id")]


async def test_a_run_is_applied_once_even_with_a_copy_inside_it(pool: asyncpg.Pool, sample: type[Sample]) -> None:
    values = [_event(sample, 1, "a"), _event(sample, 2, "b"), _event(sample, 1, "a")]
    result = await _run(pool, sample, values, record_effect)
    assert (result.settled, result.applied, result.duplicates, result.failure) == (3, 2, 1, None)
    again = await _run(pool, sample, values, record_effect)
    assert (again.settled, again.applied, again.duplicates) == (3, 0, 3)
    assert await _seqs(pool) == [1, 2]


async def test_poison_is_settled_without_an_inbox_row_so_a_fixed_replay_applies(
    pool: asyncpg.Pool, sample: type[Sample]
) -> None:
    bad = orjson.loads(_event(sample, 2, "b"))
    bad["data"]["seq"] = "two"
    result = await _run(pool, sample, [_event(sample, 1, "a"), orjson.dumps(bad)], record_effect)
    assert (result.settled, result.applied) == (2, 1)
    assert [type(p.error).__name__ for p in result.poison] == ["SchemaViolation"]
    inbox = [row["event_id"] for row in await pool.fetch("SELECT event_id FROM inbox")]
    assert inbox == ["a"]
    fixed = await _run(pool, sample, [_event(sample, 2, "b")], record_effect)
    assert fixed.applied == 1
    assert await _seqs(pool) == [1, 2]


async def test_a_failing_handler_cuts_the_run_before_it(pool: asyncpg.Pool, sample: type[Sample]) -> None:
    async def fails_on_three(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        await record_effect(event, envelope, connection)
        if event.seq == 3:
            raise RuntimeError("no")

    values = [_event(sample, seq, f"e{seq}") for seq in (1, 2, 3, 4)]
    result = await _run(pool, sample, values, fails_on_three)
    assert (result.settled, result.applied, str(result.failure)) == (2, 2, "no")
    assert await _seqs(pool) == [1, 2]
    assert {row["event_id"] for row in await pool.fetch("SELECT event_id FROM inbox")} == {"e1", "e2"}


async def test_a_handler_that_swallows_a_database_error_is_found_not_committed_as_applied(
    pool: asyncpg.Pool, sample: type[Sample]
) -> None:
    async def swallows(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        await record_effect(event, envelope, connection)
        if event.seq == 2:
            with contextlib.suppress(asyncpg.UndefinedTableError):  # the bug under test: now aborted
                await connection.execute("SELECT * FROM no_such_table")

    values = [_event(sample, seq, f"e{seq}") for seq in (1, 2, 3)]
    result = await _run(pool, sample, values, swallows)
    assert (result.settled, result.applied) == (1, 1)
    assert isinstance(result.failure, asyncpg.InFailedSQLTransactionError)
    assert await _seqs(pool) == [1]


async def test_the_same_id_from_two_sources_is_two_events(pool: asyncpg.Pool, sample: type[Sample]) -> None:
    """Issue 15: CloudEvents ids are unique per source; two sending systems may both number from 1."""
    first = encode(wrap(sample(stream="s", seq=1), source="urn:system-a", event_id="1"))
    second = encode(wrap(sample(stream="s", seq=2), source="urn:system-b", event_id="1"))
    result = await _run(pool, sample, [first, second], record_effect)
    assert (result.applied, result.duplicates) == (2, 0)
    again = await _run(pool, sample, [second], record_effect)
    assert (again.applied, again.duplicates) == (0, 1)
    assert await _seqs(pool) == [1, 2]


async def test_a_message_that_repeats_its_id_is_poison_not_applied_under_another_key(
    pool: asyncpg.Pool, sample: type[Sample]
) -> None:
    """Issue 15: the fast peek read the first "id" and the decoder the last; an outsider could make an event
    claim another's inbox key. A message whose decoded key differs from the claimed one is poison."""
    assert (await _run(pool, sample, [_event(sample, 1, "a")], record_effect)).applied == 1
    sneaky = _event(sample, 2, "b").replace(b'"data":', b'"id":"c","data":', 1)  # peeked "b", decoded "c"
    result = await _run(pool, sample, [sneaky], record_effect)
    assert (result.applied, [type(p.error).__name__ for p in result.poison]) == (0, ["ValueError"])
    assert sorted(row["event_id"] for row in await pool.fetch("SELECT event_id FROM inbox")) == ["a"]
    assert await _seqs(pool) == [1]
