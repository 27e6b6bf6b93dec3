"""Imports started over HTTP run in the background; their progress and report are kept by an `ImportJobStore`
(service_layer/ports.py). Jobs run side by side: a second import does not wait for the first."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

from linkwork_runtime.principal import Principal

from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.importing import ImportItem, ImportReport, Outcome
from linkwork_directory.service_layer.ports import Imported, ImportJobStore, ImportRunner

log = logging.getLogger(__name__)
_INTERRUPTED = "interrupted: the service stopped during the import"


class ImportJobs:
    def __init__(self, store: ImportJobStore, importer: ImportRunner, clock: Clock) -> None:
        self.store, self.importer, self.clock = store, importer, clock
        self._tasks: dict[UUID, asyncio.Task[None]] = {}

    async def start(self) -> None:
        # Jobs left running by a process that stopped cannot be resumed; say so instead of "running" forever.
        await self.store.fail_running(reason=_INTERRUPTED, at=self.clock.now())

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def submit(
        self,
        items: Sequence[ImportItem],
        *,
        source: str,
        requested_by: Principal,
        notes: list[str],
        directory: str | None = None,
    ) -> UUID:
        """Start an import in the background for the curator `requested_by` (their id and name go into each
        imported service's history). `directory` names the directory the records come from (a council's, a
        charity network's), so duplicates across directories can be told apart later."""
        job_id = uuid4()
        await self.store.create(
            job_id,
            source=source,
            requested_by=requested_by.subject,
            total=len(items),
            at=self.clock.now(),
            directory=directory,
        )
        # Who imported from where is settled now; which services the import wrote, when it finishes.
        came_from = directory or source
        note = f"imported from {source} ({came_from})"
        provenance = Imported([], came_from, requested_by.subject, requested_by.name, note)
        self._tasks[job_id] = asyncio.create_task(self._run(job_id, items, notes, provenance), name=f"import-{job_id}")
        return job_id

    async def wait(self, job_id: UUID) -> None:
        task = self._tasks.get(job_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, job_id: UUID, items: Sequence[ImportItem], notes: list[str], provenance: Imported) -> None:
        async def progress(done: int, _total: int) -> None:
            await self.store.set_done(job_id, done)

        try:
            report = await self.importer.run(items, on_progress=progress)
            report.notes[:0] = notes
            imported = dataclasses.replace(provenance, service_ids=_written(report))
            await self.store.finish(job_id, report=report.as_dict(), at=self.clock.now(), imported=imported)
        except asyncio.CancelledError:
            await self._fail(job_id, _INTERRUPTED)
            raise
        except Exception as error:
            log.exception("import %s failed", job_id)
            # The message may quote a record (a name, an address): only its kind is kept where curators read it.
            await self._fail(job_id, f"{type(error).__name__}: the import stopped; the service log has the details")
        finally:
            self._tasks.pop(job_id, None)

    async def _fail(self, job_id: UUID, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.store.fail(job_id, reason=reason, at=self.clock.now())

    async def get(self, job_id: UUID) -> dict[str, Any] | None:
        return await self.store.get(job_id)

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        """The latest imports, newest first, without their reports."""
        return await self.store.recent(limit)


def _written(report: ImportReport) -> list[UUID]:
    """Each service the import created or updated."""
    return [
        UUID(record.id)
        for record in report.records
        if record.kind == "service" and record.id and record.outcome in (Outcome.CREATED, Outcome.UPDATED)
    ]
