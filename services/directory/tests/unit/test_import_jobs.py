"""An import job's life against in-memory fakes: running with its progress, then finished with its report or
failed with a reason; jobs left running by a stopped process; jobs side by side."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.domain.importing import ImportItem, Outcome
from linkwork_directory.service_layer.import_jobs import ImportJobs

from ..directory_fakes import FakeImporter, FakeImportJobStore, curator

pytestmark = pytest.mark.unit

START = datetime(2026, 8, 31, 9, 30, tzinfo=UTC)


def _services(*ids: UUID) -> list[ImportItem]:
    return [ImportItem("service", f"service.csv line {n + 2}", {"id": str(i)}) for n, i in enumerate(ids)]


def _jobs(importer: FakeImporter) -> tuple[ImportJobs, FakeImportJobStore, SettableClock]:
    store, clock = FakeImportJobStore(), SettableClock(START)
    return ImportJobs(store, importer, clock), store, clock


async def test_a_job_runs_with_its_progress_then_finishes_with_its_report() -> None:
    created, updated, unchanged = uuid4(), uuid4(), uuid4()
    importer = FakeImporter(outcomes={str(updated): Outcome.UPDATED, str(unchanged): Outcome.UNCHANGED})
    jobs, store, clock = _jobs(importer)

    job_id = await jobs.submit(
        _services(created, updated, unchanged),
        source="service_list.json",
        requested_by=curator("curator-1", "Sam Curator"),
        notes=["read 3 records"],
        directory="Northshire Council",
    )
    await importer.progressed.wait()
    running = await jobs.get(job_id)
    assert running is not None
    assert (running["status"], running["total"], running["done"], running["report"]) == ("running", 3, 1, None)

    clock.advance(timedelta(minutes=2))
    importer.carry_on.set()
    await jobs.wait(job_id)

    finished = await jobs.get(job_id)
    assert finished is not None
    assert (finished["status"], finished["done"], finished["error"]) == ("finished", 3, None)
    assert finished["finished_at"] == START + timedelta(minutes=2)
    assert finished["report"]["summary"] == {"created": 1, "updated": 1, "unchanged": 1, "rejected": 0}
    assert finished["report"]["notes"] == ["read 3 records"]
    # Only the services the import wrote are tagged with their directory and get an 'imported' history entry.
    assert store.source_directory == {created: "Northshire Council", updated: "Northshire Council"}
    assert [(h[0], h[2], h[3], h[4], h[5]) for h in store.history] == [
        (i, "curator-1", "Sam Curator", "imported", "imported from service_list.json (Northshire Council)")
        for i in (created, updated)
    ]


async def test_without_a_directory_the_source_names_it() -> None:
    importer = FakeImporter()
    importer.carry_on.set()
    jobs, store, _ = _jobs(importer)
    service = uuid4()

    job_id = await jobs.submit(_services(service), source="CSV package", requested_by=curator("curator-1"), notes=[])
    await jobs.wait(job_id)

    assert store.source_directory == {service: "CSV package"}
    assert store.jobs[job_id]["directory"] is None


async def test_a_failed_job_keeps_the_kind_of_error_but_no_value_from_its_message() -> None:
    importer = FakeImporter(error=ValueError("Jane Smith, 1 High Street, AB1 2CD"))
    importer.carry_on.set()
    jobs, store, _ = _jobs(importer)

    job_id = await jobs.submit(
        _services(uuid4(), uuid4()), source="x.json", requested_by=curator("curator-1"), notes=[]
    )
    await jobs.wait(job_id)

    failed = await jobs.get(job_id)
    assert failed is not None
    assert failed["status"] == "failed" and failed["report"] is None and failed["finished_at"] == START
    assert failed["error"].startswith("ValueError")
    assert not any(value in failed["error"] for value in ("Jane", "Smith", "High Street", "AB1"))
    assert store.history == [] and store.source_directory == {}


async def test_jobs_left_running_by_a_stopped_process_fail_at_start_up() -> None:
    jobs, store, _ = _jobs(FakeImporter())
    left = uuid4()
    await store.create(left, source="x.json", requested_by=curator("c-1"), total=10, at=START, directory=None)

    await jobs.start()

    job = await jobs.get(left)
    assert job is not None and job["status"] == "failed" and "interrupted" in job["error"]


async def test_stopping_the_service_fails_a_running_job_as_interrupted() -> None:
    importer = FakeImporter()
    jobs, _, _ = _jobs(importer)
    job_id = await jobs.submit(_services(uuid4(), uuid4()), source="x.json", requested_by=curator("c-1"), notes=[])
    await importer.progressed.wait()

    await jobs.stop()

    job = await jobs.get(job_id)
    assert job is not None and job["status"] == "failed" and "interrupted" in job["error"] and job["done"] == 1


async def test_jobs_run_side_by_side_and_are_listed_newest_first() -> None:
    importer = FakeImporter()  # both jobs share it: each holds after its first record until released
    jobs, _, clock = _jobs(importer)
    first = await jobs.submit(_services(uuid4(), uuid4()), source="a.json", requested_by=curator("c-1"), notes=[])
    clock.advance(timedelta(seconds=1))
    second = await jobs.submit(_services(uuid4()), source="b.json", requested_by=curator("c-2"), notes=[])
    await importer.progressed.wait()

    # A second import is not queued behind the first: both are running at once.
    listed = await jobs.recent(10)
    assert [(j["id"], j["status"]) for j in listed] == [(second, "running"), (first, "running")]
    assert all("report" not in j for j in listed)

    importer.carry_on.set()
    await jobs.wait(first)
    await jobs.wait(second)
    done = {j["id"]: (j["status"], j["done"], j["total"]) for j in await jobs.recent(2)}
    assert done == {first: ("finished", 2, 2), second: ("finished", 1, 1)}
    assert [j["id"] for j in await jobs.recent(1)] == [second]
