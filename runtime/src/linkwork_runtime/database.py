"""The service's PostgreSQL connection pool."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import orjson

from linkwork_runtime.migrations import migrate

T = TypeVar("T")


async def _init_connection(connection: asyncpg.Connection) -> None:
    # jsonb columns round-trip as Python objects everywhere, encoded with orjson for speed.
    await connection.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: orjson.dumps(value).decode(),
        decoder=orjson.loads,
        format="text",
    )


# A statement still running after this long is stuck (a lock never released, a runaway plan): failing it frees
# the connection, and the caller's retry policy decides what happens next.
DEFAULT_COMMAND_TIMEOUT = 60.0


async def create_pool(
    url: str, *, min_size: int = 2, max_size: int = 10, command_timeout: float | None = DEFAULT_COMMAND_TIMEOUT
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, init=_init_connection, command_timeout=command_timeout
    )
    assert pool is not None
    return pool


async def open_database(
    url: str,
    components: dict[str, Path],
    *,
    max_size: int = 10,
    migration_url: str | None = None,
    command_timeout: float | None = DEFAULT_COMMAND_TIMEOUT,
) -> asyncpg.Pool:
    """Bring the schema up to date (as the owner at `migration_url` when given) and return a pool on `url`.

    With two URLs the service never holds the owner's rights: it cannot drop tables or rewrite the ones its
    grants make append-only (an audit log), even if it is compromised."""
    connection = await asyncpg.connect(migration_url or url)
    try:
        await migrate(connection, components)
    finally:
        await connection.close()
    return await create_pool(url, max_size=max_size, command_timeout=command_timeout)


async def reachable(pool: asyncpg.Pool, within: float) -> bool:
    """Whether the database answers a trivial query within `within` seconds (readiness probes)."""
    try:
        async with asyncio.timeout(within):
            return bool(await pool.fetchval("SELECT 1") == 1)
    except Exception:  # refused, timed out, pool closed: all mean "not now"
        return False


def from_record(cls: type[T], record: asyncpg.Record | Mapping[str, Any], **converted: object) -> T:
    """The dataclass `cls` built from the columns of `record` named like its fields.

    `converted` gives the fields whose column needs more than copying (a uuid kept as text, an array as a
    tuple, an enum); a column missing for another field fails here, naming it, not as a shifted value.
    """
    assert dataclasses.is_dataclass(cls)
    values = {f.name: record[f.name] for f in dataclasses.fields(cls) if f.name not in converted}
    return cls(**values, **converted)
