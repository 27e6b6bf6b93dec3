"""The import_job table: one row per import started over HTTP, its progress and its report.

Each function runs one statement on what it is given: the pool (its own short transaction) or the
connection of the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from linkwork_directory.adapters.service_reader import Executor


async def fail_running(db: Executor, *, reason: str, at: datetime) -> None:
    """Mark every job still 'running' as failed, with the reason."""
    await db.execute(
        "UPDATE import_job SET status = 'failed', error = $2, finished_at = $1 WHERE status = 'running'", at, reason
    )


async def create(
    db: Executor, job_id: UUID, *, source: str, requested_by: str, total: int, at: datetime, directory: str | None
) -> None:
    await db.execute(
        "INSERT INTO import_job (id, status, source, requested_by, total, created_at, directory)"
        " VALUES ($1, 'running', $2, $3, $4, $5, $6)",
        job_id,
        source,
        requested_by,
        total,
        at,
        directory,
    )


async def set_done(db: Executor, job_id: UUID, done: int) -> None:
    await db.execute("UPDATE import_job SET done = $2 WHERE id = $1", job_id, done)


async def finish(db: Executor, job_id: UUID, *, report: dict[str, Any], at: datetime) -> None:
    await db.execute(
        "UPDATE import_job SET status = 'finished', done = total, report = $2, finished_at = $3 WHERE id = $1",
        job_id,
        report,
        at,
    )


async def fail(db: Executor, job_id: UUID, *, reason: str, at: datetime) -> None:
    await db.execute(
        "UPDATE import_job SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1", job_id, reason, at
    )


async def get(db: Executor, job_id: UUID) -> dict[str, Any] | None:
    row = await db.fetchrow(
        "SELECT id, status, source, directory, requested_by, total, done, report, error, created_at, finished_at"
        " FROM import_job WHERE id = $1",
        job_id,
    )
    return dict(row) if row else None


async def recent(db: Executor, limit: int) -> list[dict[str, Any]]:
    """The latest jobs, newest first, without their reports."""
    rows = await db.fetch(
        "SELECT id, status, source, directory, requested_by, total, done, error, created_at, finished_at"
        " FROM import_job ORDER BY created_at DESC, id LIMIT $1",
        limit,
    )
    return [dict(row) for row in rows]
