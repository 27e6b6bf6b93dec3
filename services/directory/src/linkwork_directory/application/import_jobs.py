"""Imports started over HTTP run in the background; their progress and report are kept in `import_job`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from linkwork_directory.application.imports import Importer
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.importing import ImportItem

log = logging.getLogger(__name__)


class ImportJobs:
    def __init__(self, pool: asyncpg.Pool, importer: Importer, clock: Clock) -> None:
        self.pool, self.importer, self.clock = pool, importer, clock
        self._tasks: dict[UUID, asyncio.Task[None]] = {}

    async def start(self) -> None:
        # Jobs left running by a process that stopped cannot be resumed; say so instead of "running" forever.
        await self.pool.execute(
            "UPDATE import_job SET status = 'failed', error = 'interrupted: the service stopped during the import',"
            " finished_at = $1 WHERE status = 'running'",
            self.clock.now(),
        )

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def submit(self, items: Sequence[ImportItem], *, source: str, requested_by: str, notes: list[str]) -> UUID:
        job_id = uuid4()
        await self.pool.execute(
            "INSERT INTO import_job (id, status, source, requested_by, total, created_at)"
            " VALUES ($1, 'running', $2, $3, $4, $5)",
            job_id,
            source,
            requested_by,
            len(items),
            self.clock.now(),
        )
        self._tasks[job_id] = asyncio.create_task(self._run(job_id, items, notes), name=f"import-{job_id}")
        return job_id

    async def wait(self, job_id: UUID) -> None:
        task = self._tasks.get(job_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, job_id: UUID, items: Sequence[ImportItem], notes: list[str]) -> None:
        async def progress(done: int, _total: int) -> None:
            await self.pool.execute("UPDATE import_job SET done = $2 WHERE id = $1", job_id, done)

        try:
            report = await self.importer.run(items, on_progress=progress)
            report.notes[:0] = notes
            await self.pool.execute(
                "UPDATE import_job SET status = 'finished', done = total, report = $2, finished_at = $3 WHERE id = $1",
                job_id,
                report.as_dict(),
                self.clock.now(),
            )
        except asyncio.CancelledError:
            await self._fail(job_id, "interrupted: the service stopped during the import")
            raise
        except Exception as error:
            log.exception("import %s failed", job_id)
            await self._fail(job_id, f"{type(error).__name__}: {error}")
        finally:
            self._tasks.pop(job_id, None)

    async def _fail(self, job_id: UUID, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.pool.execute(
                "UPDATE import_job SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1",
                job_id,
                reason,
                self.clock.now(),
            )

    async def get(self, job_id: UUID) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(
            "SELECT id, status, source, requested_by, total, done, report, error, created_at, finished_at"
            " FROM import_job WHERE id = $1",
            job_id,
        )
        return dict(row) if row else None
