"""Fixtures of the messaging tests. Helpers shared with the child processes live in messaging_support."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import messaging_support


@pytest.fixture
def sample(topic_name: str) -> Iterator[type[messaging_support.Sample]]:
    """The test event type, published on this test's own topic."""
    yield messaging_support.sample_type(topic_name)
    messaging_support.unregister()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the messaging tables and the effect table."""
    from linkwork_runtime.database import create_pool

    connection = await asyncpg.connect(database_url)
    try:
        await messaging_support.prepare(connection)
    finally:
        await connection.close()
    pool = await create_pool(database_url, max_size=8)
    yield pool
    await pool.close()


@pytest.fixture
async def consumer_pool(postgres_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A second fresh database, for tests where producer and consumer each have their own."""
    from linkwork_runtime.database import create_pool

    async with messaging_support.scratch_database(postgres_url) as url:
        pool = await create_pool(url, max_size=8)
        yield pool
        await pool.close()
