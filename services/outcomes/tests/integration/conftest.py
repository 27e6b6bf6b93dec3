"""Fixtures the outcomes integration tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from linkwork_outcomes.app import COMPONENT_MIGRATIONS
from linkwork_runtime.database import open_database


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the outcomes schema."""
    pool = await open_database(database_url, COMPONENT_MIGRATIONS)
    yield pool
    await pool.close()
