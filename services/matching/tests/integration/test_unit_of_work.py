"""The handlers' records (service_layer/ports.py `MatchingUnitOfWork`) keep the same rules in the asyncpg adapter
(adapters/unit_of_work.py) and in the fake the handler unit tests use (tests/matching_fakes.py): each rule runs
against both, so a fake that drifts from the SQL fails here. The adapter's records, joined to a transaction
that rolls back, keep nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.adapters.unit_of_work import PostgresMatchingUnitOfWork
from linkwork_matching.app import MIGRATIONS, NAME
from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.service_layer.ports import MatchingSession
from linkwork_runtime import messaging
from linkwork_runtime.database import create_pool
from linkwork_runtime.migrations import migrate
from matching_fakes import FakeMatchingUnitOfWork

pytestmark = pytest.mark.integration

T0 = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)
PHYSICAL, MOOD = NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.MOOD_ANXIETY_STRESS
Consumer = Callable[[], AbstractAsyncContextManager[MatchingSession]]
"""Opens a transaction standing for the consumer's and gives the records joined to it."""


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection, messaging.service_migrations(NAME, MIGRATIONS))
    finally:
        await connection.close()
    pool = await create_pool(database_url, max_size=2)  # with the service's JSON codecs
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture(params=["postgres", "fake"])
def consumer(request: pytest.FixtureRequest) -> Consumer:
    if request.param == "fake":
        units = FakeMatchingUnitOfWork()

        @asynccontextmanager
        async def fake_transaction() -> AsyncIterator[MatchingSession]:
            async with units.transaction() as transaction:
                yield units.joining(transaction)

        return fake_transaction
    pool: asyncpg.Pool = request.getfixturevalue("pool")
    postgres = PostgresMatchingUnitOfWork("urn:test")

    @asynccontextmanager
    async def postgres_transaction() -> AsyncIterator[MatchingSession]:
        async with pool.acquire() as connection, connection.transaction():
            yield postgres.joining(connection)

    return postgres_transaction


async def test_a_providers_confirmation_outweighs_a_self_report_whenever_it_comes(consumer: Consumer) -> None:
    referral, service = uuid4(), uuid4()

    async def attended(at: datetime, *, confirmed: bool) -> bool:
        async with consumer() as records:
            return await records.learning.save_attendance(
                Attendance(referral, service, PHYSICAL, attended=True, contact_at=at, confirmed=confirmed)
            )

    assert await attended(T0, confirmed=False)
    assert await attended(T0 + timedelta(days=1), confirmed=False), "a later self-report replaces an earlier one"
    assert not await attended(T0, confirmed=False), "an earlier self-report does not"
    assert await attended(T0 - timedelta(days=5), confirmed=True), "a confirmation replaces a self-report"
    assert not await attended(T0 + timedelta(days=9), confirmed=False), "a self-report never replaces it"
    assert not await attended(T0 - timedelta(days=6), confirmed=True)
    assert await attended(T0, confirmed=True)


async def test_a_later_plan_version_and_the_latest_follow_up_win(consumer: Consumer) -> None:
    referral = uuid4()
    async with consumer() as records:
        learning = records.learning
        assert await learning.save_baseline(referral, 2, 30.0)
        assert not await learning.save_baseline(referral, 1, 25.0)
        assert await learning.save_baseline(referral, 2, None)
        assert await learning.save_follow_up_wellbeing(referral, 32.0, T0)
        assert not await learning.save_follow_up_wellbeing(referral, 28.0, T0 - timedelta(days=1))
        assert await learning.save_follow_up_wellbeing(referral, 28.0, T0)


async def test_observed_activities_come_in_service_then_need_order(consumer: Consumer) -> None:
    referral, first, second = uuid4(), UUID(int=1), UUID(int=2)
    async with consumer() as records:
        for service, need in [(second, PHYSICAL), (first, PHYSICAL), (first, MOOD)]:
            await records.learning.save_attendance(
                Attendance(referral, service, need, attended=True, contact_at=T0, confirmed=False)
            )
        await records.learning.save_attendance(
            Attendance(uuid4(), first, PHYSICAL, attended=True, contact_at=T0, confirmed=False)
        )
        observed = await records.learning.observed_activities(referral)
    assert observed == [(first, MOOD), (first, PHYSICAL), (second, PHYSICAL)]


async def test_a_snapshot_is_kept_only_when_its_revision_is_newer(consumer: Consumer) -> None:
    event = examples.SERVICE_CHANGED.model_copy(update={"service_id": uuid4()})
    async with consumer() as records:
        assert await records.snapshots.save(event)
        assert not await records.snapshots.save(event), "the same revision again"
        assert not await records.snapshots.save(event.model_copy(update={"revision": event.revision - 1}))
        assert await records.snapshots.save(event.model_copy(update={"revision": event.revision + 1}))


async def test_records_joined_to_a_transaction_that_rolls_back_keep_nothing(consumer: Consumer) -> None:
    referral, service = uuid4(), uuid4()
    with pytest.raises(ConnectionError):
        async with consumer() as records:
            await records.learning.save_attendance(
                Attendance(referral, service, PHYSICAL, attended=True, contact_at=T0, confirmed=True)
            )
            await records.learning.refresh_tally(service, PHYSICAL)
            raise ConnectionError("the inbox row was not written")
    async with consumer() as records:
        assert await records.learning.observed_activities(referral) == []
