"""The import_job table (service_layer/ports.py `ImportJobStore`): one row per import started over HTTP, its
progress and its report.

Each statement runs in its own short transaction on the pool, except `finish`, which keeps the report and
the imported services' provenance together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from linkwork_directory.adapters import curation_store
from linkwork_directory.service_layer.ports import Imported


class PostgresImportJobStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def fail_running(self, *, reason: str, at: datetime) -> None:
        await self.pool.execute(
            "UPDATE import_job SET status = 'failed', error = $2, finished_at = $1 WHERE status = 'running'",
            at,
            reason,
        )

    async def create(
        self, job_id: UUID, *, source: str, requested_by: str, total: int, at: datetime, directory: str | None
    ) -> None:
        await self.pool.execute(
            "INSERT INTO import_job (id, status, source, requested_by, total, created_at, directory)"
            " VALUES ($1, 'running', $2, $3, $4, $5, $6)",
            job_id,
            source,
            requested_by,
            total,
            at,
            directory,
        )

    async def set_done(self, job_id: UUID, done: int) -> None:
        await self.pool.execute("UPDATE import_job SET done = $2 WHERE id = $1", job_id, done)

    async def finish(self, job_id: UUID, *, report: dict[str, Any], at: datetime, imported: Imported) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            if imported.service_ids:
                await curation_store.tag_source_directory(conn, imported.service_ids, imported.directory)
                await curation_store.record(conn, [imported.history_entry(i, at) for i in imported.service_ids])
            await conn.execute(
                "UPDATE import_job SET status = 'finished', done = total, report = $2, finished_at = $3 WHERE id = $1",
                job_id,
                report,
                at,
            )

    async def fail(self, job_id: UUID, *, reason: str, at: datetime) -> None:
        await self.pool.execute(
            "UPDATE import_job SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1", job_id, reason, at
        )

    async def get(self, job_id: UUID) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(
            "SELECT id, status, source, directory, requested_by, total, done, report, error, created_at, finished_at"
            " FROM import_job WHERE id = $1",
            job_id,
        )
        return dict(row) if row else None

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT id, status, source, directory, requested_by, total, done, error, created_at, finished_at"
            " FROM import_job ORDER BY created_at DESC, id LIMIT $1",
            limit,
        )
        return [dict(row) for row in rows]
