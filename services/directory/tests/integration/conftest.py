"""Fixtures for tests against a real PostgreSQL: a migrated directory database, a clock, a change log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from linkwork_contracts.envelope import ContractError, decode, encode, wrap
from linkwork_contracts.events import Event, ServiceChangedV3
from linkwork_contracts.topics import ACTIVITY_REFERRAL_RESPONDED, ATTENDANCE_CONFIRMED, PLAN_AGREED, SERVICE_CHANGED
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.adapters.oruk_schemas import OrukSchemas
from linkwork_directory.adapters.postcodes import load_onspd
from linkwork_directory.adapters.service_reader import Connection, Loaded
from linkwork_directory.adapters.unit_of_work import PostgresUnitOfWork, unit_of_work_factory
from linkwork_directory.app import build_app, migrations
from linkwork_directory.entrypoints.load_postcodes import SAMPLE
from linkwork_directory.service_layer.changes import seed_needs_taxonomy
from linkwork_directory.service_layer.imports import Importer
from linkwork_directory.service_layer.ports import Acting
from linkwork_directory.settings import Settings
from linkwork_runtime.database import create_pool
from linkwork_runtime.messaging import Backoff, RetryPolicy
from linkwork_runtime.migrations import migrate
from linkwork_runtime.testing import running_app
from linkwork_stack.databases import scratch_database
from linkwork_stack.testing import own_topics, produce
from linkwork_stack.topic_reader import read_topic

from .api_support import settings_for

# The topics the service consumes. Each running directory reads its own copies (`<topic_prefix><topic>`): on the
# shared broker, another session's directory reads the contract's topics too, and would count a plan or an
# activity referral sent there in its own database as well.
CONSUMED = [PLAN_AGREED, ACTIVITY_REFERRAL_RESPONDED, ATTENDANCE_CONFIRMED]
# The CloudEvents source of what the tests deliver (in a deployment, the referral service's events).
SOURCE = "urn:linkwork:directory-tests"

# The ORUK standard as published, kept with the tests (see its README for source and licence).
STANDARD = Path(__file__).resolve().parents[1] / "reference" / "oruk-v3"


class RecordingSink:
    """Keeps every snapshot handed over, in order, as the outbox would publish them."""

    def __init__(self) -> None:
        self.snapshots: list[Loaded] = []

    async def services_changed(self, conn: Connection, snapshots: Sequence[Loaded], now: datetime) -> dict[UUID, str]:
        self.snapshots.extend(snapshots)
        return {}


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
        await seed_needs_taxonomy(PostgresUnitOfWork(conn), Acting(clock.now(), RecordingSink()))
    yield pool
    await pool.close()


@pytest.fixture
def importer(pool: asyncpg.Pool, clock: SettableClock, sink: RecordingSink) -> Importer:
    return Importer(unit_of_work_factory(pool), clock=clock, sink=sink, oruk=OrukFormat())


def fresh_database(postgres_url: str) -> AbstractAsyncContextManager[str]:
    return scratch_database(postgres_url, "test_directory")


@dataclass
class RunningDirectory:
    client: httpx.AsyncClient
    app: FastAPI
    settings: Settings
    clock: SettableClock

    @property
    def pool(self) -> asyncpg.Pool:
        pool: asyncpg.Pool = self.app.state.context.pool
        return pool

    async def deliver(self, *events: Event) -> None:
        """Publish `events` in order, each in a new envelope, to this directory's own copies of their topics."""
        await produce(
            self.settings.kafka_bootstrap_servers,
            [
                (self.settings.topic_prefix + event.TOPIC, event.key().encode(), encode(wrap(event, source=SOURCE)))
                for event in events
            ],
        )

    async def outbox_drained(self) -> bool:
        return bool(await self.pool.fetchval("SELECT count(*) = 0 FROM outbox"))

    async def published_services(self) -> dict[str, ServiceChangedV3]:
        """What a consumer reading service-changed from the start knows of this directory's services: the
        highest revision of each. Other producers' test data on the shared broker is left out."""
        known: dict[str, ServiceChangedV3] = {}
        for record in await read_topic(self.settings.kafka, SERVICE_CHANGED):
            try:
                envelope, event = decode(record.value or b"")
            except ContractError:
                continue
            if envelope.source != self.settings.event_source:
                continue
            assert isinstance(event, ServiceChangedV3)  # the version the directory publishes
            current = known.get(str(event.service_id))
            if current is None or event.revision > current.revision:
                known[str(event.service_id)] = event
        return known


@asynccontextmanager
async def running_directory(
    database_url: str, kafka_bootstrap: str, clock: SettableClock, **overrides: Any
) -> AsyncIterator[RunningDirectory]:
    retry = RetryPolicy(max_attempts=2, backoff=Backoff(initial=0.05, maximum=0.1))
    async with own_topics(kafka_bootstrap, CONSUMED) as topic_prefix:
        settings = settings_for(database_url, kafka_bootstrap, topic_prefix=topic_prefix, **overrides)
        app = build_app(settings, clock=clock, retry=retry)
        async with running_app(app) as client:
            directory = RunningDirectory(client, app, settings, clock)
            await load_onspd(directory.pool, SAMPLE)
            yield directory


@pytest.fixture
async def directory(database_url: str, kafka_bootstrap: str, clock: SettableClock) -> AsyncIterator[RunningDirectory]:
    async with running_directory(database_url, kafka_bootstrap, clock) as running:
        yield running
