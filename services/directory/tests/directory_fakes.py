"""In-memory stand-ins for the directory's ports (service_layer/ports.py), for use-case tests in milliseconds.

The PostgreSQL adapters keep their integration tests (tests/integration); these fakes only keep the ports'
promises.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from linkwork_directory.domain.freshness import DueForReview
from linkwork_directory.domain.importing import ImportItem, ImportReport, Outcome, RecordReport
from linkwork_directory.service_layer.ports import Imported, Progress


@dataclass
class ReviewedService:
    name: str
    last_verified_at: datetime | None
    verified_by: str | None = None
    organization: str | None = None
    withdrawn: bool = False
    service_id: UUID = field(default_factory=uuid.uuid4)


class FakeReviewStore:
    def __init__(self, *services: ReviewedService) -> None:
        self.services = list(services)

    def _due(self, cutoff: datetime) -> list[ReviewedService]:
        due = [
            s for s in self.services if not s.withdrawn and (s.last_verified_at is None or s.last_verified_at < cutoff)
        ]
        # Never verified first, then least recently verified, then name and id: the port's order.
        return sorted(
            due, key=lambda s: (s.last_verified_at is not None, s.last_verified_at or cutoff, s.name, s.service_id)
        )

    async def due_for_review(self, *, cutoff: datetime, limit: int, offset: int) -> list[DueForReview]:
        return [
            DueForReview(s.service_id, s.name, s.organization, s.last_verified_at, s.verified_by)
            for s in self._due(cutoff)[offset : offset + limit]
        ]

    async def count_due(self, *, cutoff: datetime) -> int:
        return len(self._due(cutoff))


class FakeImportJobStore:
    """Jobs as the table keeps them; `source_directory` and `history` stand for what `finish` writes about the
    imported services."""

    def __init__(self) -> None:
        self.jobs: dict[UUID, dict[str, Any]] = {}
        self.source_directory: dict[UUID, str] = {}
        self.history: list[tuple[UUID, datetime, str, str | None, str, str]] = []

    async def create(
        self, job_id: UUID, *, source: str, requested_by: str, total: int, at: datetime, directory: str | None
    ) -> None:
        self.jobs[job_id] = {
            "id": job_id,
            "status": "running",
            "source": source,
            "directory": directory,
            "requested_by": requested_by,
            "total": total,
            "done": 0,
            "report": None,
            "error": None,
            "created_at": at,
            "finished_at": None,
        }

    async def set_done(self, job_id: UUID, done: int) -> None:
        if job_id in self.jobs:
            self.jobs[job_id]["done"] = done

    async def finish(self, job_id: UUID, *, report: dict[str, Any], at: datetime, imported: Imported) -> None:
        for service_id in imported.service_ids:
            self.source_directory.setdefault(service_id, imported.directory)  # the first directory keeps it
            self.history.append(
                (service_id, at, imported.requested_by, imported.requested_by_name, "imported", imported.note)
            )
        if job_id in self.jobs:
            job = self.jobs[job_id]
            job.update(status="finished", done=job["total"], report=report, finished_at=at)

    async def fail(self, job_id: UUID, *, reason: str, at: datetime) -> None:
        if job_id in self.jobs:
            self.jobs[job_id].update(status="failed", error=reason, finished_at=at)

    async def fail_running(self, *, reason: str, at: datetime) -> None:
        for job in self.jobs.values():
            if job["status"] == "running":
                job.update(status="failed", error=reason, finished_at=at)

    async def get(self, job_id: UUID) -> dict[str, Any] | None:
        job = self.jobs.get(job_id)
        return dict(job) if job else None

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        newest = sorted(sorted(self.jobs.values(), key=lambda j: j["id"]), key=lambda j: j["created_at"], reverse=True)
        return [{k: v for k, v in job.items() if k != "report"} for job in newest[:limit]]


class FakeImporter:
    """Reports each item as stored with the outcome `outcomes` gives its id (created when not given), one item a
    batch. After the first batch it says so (`progressed`), waits for `carry_on`, then raises `error` if given."""

    def __init__(self, *, outcomes: dict[str, Outcome] | None = None, error: Exception | None = None) -> None:
        self.outcomes = outcomes or {}
        self.error = error
        self.progressed = asyncio.Event()
        self.carry_on = asyncio.Event()

    async def run(self, items: Sequence[ImportItem], *, on_progress: Progress | None = None) -> ImportReport:
        report = ImportReport()
        for done, item in enumerate(items, start=1):
            outcome = self.outcomes.get(item.record_id or "", Outcome.CREATED)
            report.records.append(RecordReport(item.source, item.kind, item.record_id, outcome))
            if on_progress is not None:
                await on_progress(done, len(items))
            if done == 1:
                self.progressed.set()
                await self.carry_on.wait()
                if self.error is not None:
                    raise self.error
        return report
