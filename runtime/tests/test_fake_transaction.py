"""`FakeTransaction`, the transaction of every service's in-memory fake unit of work: it commits only what it
wrote, so overlapping transactions keep each other's writes, and refuses a row another one changed meanwhile
with PostgreSQL's serialization failure, as the database would rather than lose an update unseen."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from asyncpg.exceptions import SerializationError
from linkwork_runtime.testing import FakeTransaction

pytestmark = pytest.mark.unit


@dataclass
class Tables:
    rows: dict[str, int] = field(default_factory=dict)
    outbox: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


def test_overlapping_writes_to_different_rows_are_both_kept() -> None:
    committed = Tables(rows={"a": 1, "b": 1})
    first, second = FakeTransaction(committed), FakeTransaction(committed)
    first.stored.rows["a"] = 2
    second.stored.rows["b"] = 3
    second.stored.rows["c"] = 1
    first.commit(committed)
    second.commit(committed)
    assert committed.rows == {"a": 2, "b": 3, "c": 1}


def test_a_row_another_transaction_changed_meanwhile_is_refused_and_nothing_written() -> None:
    committed = Tables(rows={"a": 1})
    first, second = FakeTransaction(committed), FakeTransaction(committed)
    first.stored.rows["a"] = 2
    second.stored.rows["a"] = 3
    second.stored.outbox.append("a changed")
    first.commit(committed)
    with pytest.raises(SerializationError):
        second.commit(committed)
    assert committed == Tables(rows={"a": 2})


def test_lists_are_appended_and_sets_added_to_whatever_is_committed_by_then() -> None:
    committed = Tables(outbox=["earlier"], keys={"k0"})
    first, second = FakeTransaction(committed), FakeTransaction(committed)
    first.stored.outbox.append("first")
    first.stored.keys.add("k1")
    second.stored.outbox.append("second")
    second.stored.keys.add("k2")
    committed.outbox.remove("earlier")  # taken off a queue outside either transaction, as a projector does
    second.commit(committed)
    first.commit(committed)
    assert (committed.outbox, committed.keys) == (["second", "first"], {"k0", "k1", "k2"})


def test_nothing_is_written_without_the_commit_and_only_the_named_tables_are_committed() -> None:
    committed = Tables(rows={"a": 1})
    FakeTransaction(committed).stored.rows["a"] = 2  # rolled back: never committed
    only_rows = FakeTransaction(committed, tables=("rows",))
    only_rows.stored.rows["b"] = 1
    only_rows.stored.outbox.append("not a table of this transaction")
    only_rows.commit(committed)
    assert committed == Tables(rows={"a": 1, "b": 1})


@dataclass
class Holder:
    """A store whose tables are held by parts of it, as a unit of work holds its repositories."""

    part: Tables = field(default_factory=Tables)


def test_a_dotted_name_commits_a_table_held_inside_a_part_of_the_store() -> None:
    committed = Holder(Tables(rows={"a": 1}))
    first, second = (FakeTransaction(committed, tables=("part.rows",)) for _ in range(2))
    first.stored.part.rows["b"] = 1
    second.stored.part.rows["c"] = 1
    first.commit(committed)
    second.commit(committed)
    assert committed.part.rows == {"a": 1, "b": 1, "c": 1}
