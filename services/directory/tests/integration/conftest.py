"""Fixtures for tests against a real PostgreSQL: a migrated directory database, a clock, a change log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.adapters.oruk_schemas import OrukSchemas
from linkwork_directory.adapters.service_reader import Connection, Loaded
from linkwork_directory.app import migrations
from linkwork_directory.application.changes import seed_needs_taxonomy
from linkwork_directory.application.imports import Importer
from linkwork_runtime.database import create_pool
from linkwork_runtime.migrations import migrate

STANDARD = Path(__file__).resolve().parents[4].parent / "shared" / "standards" / "oruk-v3"


class RecordingSink:
    """Keeps every snapshot handed over, in order, as the outbox would publish them."""

    def __init__(self) -> None:
        self.snapshots: list[Loaded] = []

    async def services_changed(self, conn: Connection, snapshots: Sequence[Loaded], now: datetime) -> None:
        self.snapshots.extend(snapshots)


@pytest.fixture(scope="session")
def oruk_root() -> Path:
    assert (STANDARD / "schema" / "openapi.json").exists(), f"the ORUK v3 standard is expected at {STANDARD}"
    return STANDARD


@pytest.fixture(scope="session")
def reference_schemas(oruk_root: Path) -> OrukSchemas:
    return OrukSchemas(oruk_root)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def pool(database_url: str, clock: SettableClock) -> AsyncIterator[asyncpg.Pool]:
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection, migrations())
    finally:
        await connection.close()
    pool = await create_pool(database_url, max_size=4)
    async with pool.acquire() as conn:
        await seed_needs_taxonomy(conn, now=clock.now(), sink=RecordingSink())
    yield pool
    await pool.close()


@pytest.fixture
def importer(pool: asyncpg.Pool, clock: SettableClock, sink: RecordingSink) -> Importer:
    return Importer(pool, clock=clock, sink=sink)
