"""What the directory's command-line tools share: a migrated database pool and progress lines."""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from linkwork_runtime.database import open_database

from linkwork_directory.app import migrations


@asynccontextmanager
async def database(url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_database(url, migrations(), max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


class ProgressLine:
    """Prints "what: done/total (percent), rate" to stderr at most once a second, and at the end."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.started = time.monotonic()
        self.last = 0.0

    async def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < 1.0 and done != total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-6)
        share = f"/{total} ({100 * done // max(total, 1)}%)" if total is not None else ""
        print(f"{self.what}: {done}{share}, {rate:,.0f}/s", file=sys.stderr, flush=True)
