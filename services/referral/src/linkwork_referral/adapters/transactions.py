"""A unit of work over an asyncpg pool, as the ports' `transaction()` promise it: each block is one pooled
connection and transaction with a session on it, committed when the block ends and rolled back when it raises."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

import asyncpg

Session = TypeVar("Session")


class PooledUnitOfWork(Generic[Session]):
    def __init__(self, pool: asyncpg.Pool, session: Callable[[asyncpg.Connection], Session]) -> None:
        self._pool, self._session = pool, session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._pool.acquire() as connection, connection.transaction():
            yield self._session(connection)
