"""The ports the directory's use cases talk to, so their rules are unit-tested against in-memory fakes
(tests/directory_fakes.py) in milliseconds while the SQL stays in adapters/ with its integration tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from linkwork_directory.domain.freshness import DueForReview
from linkwork_directory.domain.importing import ImportItem, ImportReport

Progress = Callable[[int, int], Awaitable[None]]
"""Told (records done, records in all) after each batch an import stored."""


class ReviewStore(Protocol):
    async def due_for_review(self, *, cutoff: datetime, limit: int, offset: int) -> list[DueForReview]:
        """Services not withdrawn and last verified before `cutoff` (never verified counts as before), least
        recently verified first (never verified before all), then by name and id; one page of them."""
        ...

    async def count_due(self, *, cutoff: datetime) -> int:
        """How many services `due_for_review` would list over all pages."""
        ...


class ImportRunner(Protocol):
    """Checks and stores an import's records, batch by batch (service_layer/imports.py `Importer`)."""

    async def run(self, items: Sequence[ImportItem], *, on_progress: Progress | None = None) -> ImportReport: ...


@dataclass(frozen=True)
class Imported:
    """The services a finished import created or updated, and the history entry each gets: kept with the job's
    report in one transaction, so a report never claims services whose provenance was not recorded."""

    service_ids: list[UUID]
    directory: str
    requested_by: str
    requested_by_name: str | None
    note: str


class ImportJobStore(Protocol):
    """Imports started over HTTP: one job each, 'running' until 'finished' (with its report) or 'failed' (with a
    reason). Jobs are read as dicts with the keys id, status, source, directory, requested_by, total, done,
    report, error, created_at and finished_at."""

    async def create(
        self, job_id: UUID, *, source: str, requested_by: str, total: int, at: datetime, directory: str | None
    ) -> None:
        """A new job, 'running' with nothing done."""
        ...

    async def set_done(self, job_id: UUID, done: int) -> None:
        """How many of the job's records are done so far."""
        ...

    async def finish(self, job_id: UUID, *, report: dict[str, Any], at: datetime, imported: Imported) -> None:
        """'finished', all done, with its report; and in the same transaction each imported service's source
        directory (the first directory that listed a service keeps it) and an 'imported' history entry."""
        ...

    async def fail(self, job_id: UUID, *, reason: str, at: datetime) -> None:
        """'failed', with the reason."""
        ...

    async def fail_running(self, *, reason: str, at: datetime) -> None:
        """Every job still 'running' becomes 'failed' with the reason."""
        ...

    async def get(self, job_id: UUID) -> dict[str, Any] | None: ...

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        """The latest jobs, newest first (then by id), without their reports."""
        ...
