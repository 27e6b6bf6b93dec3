"""The referral's unit of work over asyncpg (adapters/unit_of_work.py) holds writes until the block ends or
something is read, for every use case since the restructuring (issue 13), not only the create. A block is still
one transaction, all or nothing, as the `connection.transaction()` blocks the use cases had before were and as the
in-memory fake (tests/referral_fakes.py) promises the unit tests: writes held before the first read are sent
inside the transaction it begins, and a later failure takes them back too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from linkwork_referral.adapters.unit_of_work import PostgresReferralUnitOfWork
from linkwork_referral.app import MIGRATIONS, NAME
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.timeline import Entry
from linkwork_runtime import messaging
from linkwork_runtime.database import open_database
from linkwork_runtime.principal import Principal, Role

from .conftest import OneConnection

pytestmark = pytest.mark.integration

WORKER = Principal("lw-1", Role.LINK_WORKER, "U00001")


@pytest.fixture
async def connection_and_unit_of_work(
    database_url: str,
) -> AsyncIterator[tuple[asyncpg.Connection, PostgresReferralUnitOfWork]]:
    """The unit of work over one migrated connection that is never reset, so a test sees the state a block
    leaves it in."""
    pool = await open_database(database_url, messaging.service_migrations(NAME, MIGRATIONS))
    try:
        async with pool.acquire() as connection:
            unit_of_work = PostgresReferralUnitOfWork(
                OneConnection(connection),  # type: ignore[arg-type]
                ZoneInfo("Europe/London"),
                lambda _: "0" * 64,
            )
            yield connection, unit_of_work
    finally:
        await pool.close()


async def test_a_failing_write_takes_back_the_writes_held_before_it(
    connection_and_unit_of_work: tuple[asyncpg.Connection, PostgresReferralUnitOfWork],
) -> None:
    connection, unit_of_work = connection_and_unit_of_work
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with unit_of_work.transaction() as session:
            await session.audit(WORKER, AuditRecord("read"))  # held until something is read
            assert await session.get(uuid4()) is None  # begins the transaction, sends the audit record
            # Refused by PostgreSQL: there is no such referral.
            await session.append_timeline(uuid4(), datetime.now(UTC), Entry("note", "x", {}), "lw-1", None)
    assert not connection.is_in_transaction()
    assert await connection.fetchval("SELECT count(*) FROM audit_log") == 0


async def test_a_held_write_refused_when_the_block_ends_leaves_no_transaction_open(
    connection_and_unit_of_work: tuple[asyncpg.Connection, PostgresReferralUnitOfWork],
) -> None:
    """A block that only writes sends its writes when it ends (a refusal's audit record, say). Refused then,
    the transaction is rolled back there, not left open for the pool's reset (which asyncpg reports as an
    error, "Resetting connection with an active transaction")."""
    connection, unit_of_work = connection_and_unit_of_work
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with unit_of_work.transaction() as session:
            await session.audit(WORKER, AuditRecord("read"))
            await session.append_timeline(uuid4(), datetime.now(UTC), Entry("note", "x", {}), "lw-1", None)
    assert not connection.is_in_transaction()
    assert await connection.fetchval("SELECT count(*) FROM audit_log") == 0
