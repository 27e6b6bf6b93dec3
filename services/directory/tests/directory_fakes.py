"""In-memory stand-ins for the directory's ports (service_layer/ports.py), for use-case tests in milliseconds.

The PostgreSQL adapters keep their integration tests (tests/integration); these fakes only keep the ports'
promises.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.duplicates import Listing
from linkwork_directory.domain.freshness import DueForReview
from linkwork_directory.domain.importing import ImportItem, ImportReport, Outcome, RecordReport
from linkwork_directory.domain.merging import Resolved
from linkwork_directory.domain.oruk import Location, Organization, Service, Taxonomy, TaxonomyTerm, all_attributes
from linkwork_directory.domain.state import ServiceState
from linkwork_directory.domain.waiting_list import WINDOW_WEEKS, EntrySource, EntryStatus, Throughput
from linkwork_directory.service_layer.ports import (
    HistoryEntry,
    Imported,
    Loaded,
    Progress,
    QueuedEntry,
    Refused,
    StoredEntry,
)
from linkwork_runtime.principal import Principal, Role


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


@dataclass
class Kept:
    """A service as the fake store keeps it: the record, and what the directory knows beside it."""

    service: Service
    places_per_week: int | None = None
    waiting_list: bool = False
    last_verified_at: datetime | None = None
    verified_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    revision: int = 0
    announced_week: date | None = None
    source_directory: str | None = None
    taken: dict[date, int] = field(default_factory=dict)  # places taken, by week


@dataclass
class Entry:
    service_id: UUID
    source: EntrySource
    joined_at: datetime
    status: EntryStatus = EntryStatus.WAITING
    started_at: datetime | None = None
    left_reason: str | None = None


class FakeWaitingEntries:
    def __init__(self) -> None:
        self.entries: dict[UUID, Entry] = {}

    def _waiting(self, service_id: UUID) -> list[tuple[UUID, Entry]]:
        waiting = [
            (i, e) for i, e in self.entries.items() if e.service_id == service_id and e.status is EntryStatus.WAITING
        ]
        return sorted(waiting, key=lambda pair: (pair[1].joined_at, pair[0]))

    async def queue(self, service_id: UUID) -> list[QueuedEntry]:
        return [QueuedEntry(i, n, e.joined_at, e.source) for n, (i, e) in enumerate(self._waiting(service_id), 1)]

    async def entry(self, entry_id: UUID, *, lock: bool = False) -> StoredEntry | None:
        found = self.entries.get(entry_id)
        return None if found is None else StoredEntry(found.service_id, found.status, found.joined_at)

    async def ahead_of(self, entry_id: UUID, stored: StoredEntry) -> int:
        return sum(1 for i, e in self._waiting(stored.service_id) if (e.joined_at, i) < (stored.joined_at, entry_id))

    async def insert(self, entry_id: UUID, service_id: UUID, source: EntrySource, joined_at: datetime) -> bool:
        if entry_id in self.entries:
            return False
        self.entries[entry_id] = Entry(service_id, source, joined_at)
        return True

    async def mark_started(self, entry_id: UUID, at: datetime) -> None:
        if self.entries[entry_id].status is EntryStatus.WAITING:
            self.entries[entry_id].status, self.entries[entry_id].started_at = EntryStatus.STARTED, at

    async def mark_left(self, entry_id: UUID, at: datetime, reason: str) -> None:
        if self.entries[entry_id].status is EntryStatus.WAITING:
            self.entries[entry_id].status, self.entries[entry_id].left_reason = EntryStatus.LEFT, reason


class FakeServices:
    def __init__(self, waiting: FakeWaitingEntries) -> None:
        self.kept: dict[UUID, Kept] = {}
        self.organizations_: dict[UUID, Organization] = {}
        self.locations_: dict[UUID, Location] = {}
        self.terms_: dict[UUID, TaxonomyTerm] = {}
        self.taxonomies: dict[UUID, Taxonomy] = {}
        self.waiting = waiting

    def _state(self, kept: Kept, week: date) -> ServiceState:
        settings = kept.service.social_prescribing
        assert settings is not None
        window = week - timedelta(weeks=WINDOW_WEEKS)
        entries = [e for e in self.waiting.entries.values() if e.service_id == kept.service.id]
        starts = [e for e in entries if e.started_at is not None and window <= e.started_at.date() < week]
        return ServiceState(
            settings=settings.model_copy(
                update={"places_per_week": kept.places_per_week, "waiting_list": kept.waiting_list}
            ),
            last_verified_at=kept.last_verified_at,
            verified_by=kept.verified_by,
            withdrawn_at=kept.withdrawn_at,
            withdrawal_reason=kept.withdrawal_reason,
            revision=kept.revision,
            week_starting=week,
            taken_this_week=kept.taken.get(week, 0),
            uptake_total=sum(kept.taken.values()),
            waiting=sum(1 for e in entries if e.status is EntryStatus.WAITING),
            throughput=Throughput(len(starts), WINDOW_WEEKS),
        )

    async def load(self, ids: Iterable[UUID], *, week: date) -> dict[UUID, Loaded]:
        return {i: Loaded(self.kept[i].service, self._state(self.kept[i], week)) for i in set(ids) if i in self.kept}

    async def organizations(self, ids: Iterable[UUID]) -> dict[UUID, Organization]:
        return {i: self.organizations_[i] for i in set(ids) if i in self.organizations_}

    async def locations(self, ids: Iterable[UUID]) -> dict[UUID, Location]:
        return {i: self.locations_[i] for i in set(ids) if i in self.locations_}

    async def terms(self, ids: Iterable[UUID]) -> dict[UUID, TaxonomyTerm]:
        return {i: self.terms_[i] for i in set(ids) if i in self.terms_}

    async def taxonomy(self, taxonomy_id: UUID) -> Taxonomy | None:
        return self.taxonomies.get(taxonomy_id)

    async def write_service(self, resolved: Resolved, *, now: datetime) -> None:
        await self.write_services([resolved], now=now)

    async def write_services(self, resolved: Sequence[Resolved], *, now: datetime) -> None:
        for one in resolved:
            for organization in one.organizations:
                await self.write_organization(organization)
            for location in one.locations:
                await self.write_location(location)
            await self.write_terms(one.terms)
            service, settings = one.service, one.service.social_prescribing
            assert settings is not None  # resolve_service always sets it
            kept = self.kept.setdefault(service.id, Kept(service))
            kept.service, kept.places_per_week, kept.waiting_list = (
                service,
                settings.places_per_week,
                settings.waiting_list,
            )
            if service.status == "active":  # saving a service as active again ends a withdrawal
                kept.withdrawn_at = kept.withdrawal_reason = None

    async def write_organization(self, organization: Organization) -> None:
        self.organizations_[organization.id] = organization

    async def write_location(self, location: Location) -> None:
        self.locations_[location.id] = location

    async def write_terms(self, terms: Iterable[TaxonomyTerm]) -> None:
        self.terms_.update((term.id, term) for term in terms)

    async def write_taxonomy(self, taxonomy: Taxonomy) -> None:
        self.taxonomies[taxonomy.id] = taxonomy.model_copy(update={"taxonomy_terms": []})
        await self.write_terms(taxonomy.taxonomy_terms)

    async def dependents(self, organizations: list[UUID], locations: list[UUID], terms: list[UUID]) -> set[UUID]:
        return {
            i
            for i, kept in self.kept.items()
            if kept.service.organization_id in organizations
            or {sal.the_location_id for sal in kept.service.service_at_locations} & set(locations)
            or {a.term_id for a in all_attributes(kept.service)} & set(terms)
        }

    async def mark_changed(self, ids: Iterable[UUID], *, now: datetime, stamp: Iterable[UUID] = ()) -> None:
        for i in set(ids):
            self.kept[i].revision += 1
            self.kept[i].announced_week = week_starting(now)
        for i in set(stamp):
            self.kept[i].service = self.kept[i].service.model_copy(update={"last_modified": now})

    async def exists(self, service_id: UUID) -> bool:
        return service_id in self.kept

    async def known(self, ids: Iterable[UUID]) -> set[UUID]:
        return set(ids) & set(self.kept)

    async def lock(self, service_id: UUID) -> bool:
        return service_id in self.kept

    async def mark_withdrawn(self, service_id: UUID, *, at: datetime, reason: str) -> None:
        kept = self.kept[service_id]
        kept.service = kept.service.model_copy(update={"status": "inactive"})
        kept.withdrawn_at, kept.withdrawal_reason = at, reason

    async def mark_verified(self, service_id: UUID, *, at: datetime, by: str) -> None:
        kept = self.kept[service_id]
        kept.last_verified_at, kept.verified_by = at, by
        kept.service = kept.service.model_copy(update={"assured_date": at.date()})

    async def set_capacity(self, service_id: UUID, places_per_week: int | None, waiting_list: bool) -> None:
        self.kept[service_id].places_per_week, self.kept[service_id].waiting_list = places_per_week, waiting_list

    async def owner_of(self, service_id: UUID) -> tuple[bool, str | None]:
        kept = self.kept.get(service_id)
        if kept is None:
            return False, None
        return True, str(kept.service.organization_id) if kept.service.organization_id else None

    async def services_of(self, organization_id: UUID) -> list[tuple[UUID, str]]:
        owned = [(k.service.name, i) for i, k in self.kept.items() if k.service.organization_id == organization_id]
        return [(i, name) for name, i in sorted(owned)]

    async def lock_past_week(self, *, week: date, window_weeks: int, limit: int) -> list[UUID]:
        def moves(i: UUID, kept: Kept) -> bool:
            assert kept.announced_week is not None
            since = kept.announced_week - timedelta(weeks=window_weeks)
            entries = [e for e in self.waiting.entries.values() if e.service_id == i]
            return bool(
                (kept.places_per_week is not None and kept.taken.get(kept.announced_week))
                or any(
                    e.status is EntryStatus.WAITING or (e.started_at and e.started_at.date() >= since) for e in entries
                )
            )

        past = [i for i, k in self.kept.items() if k.announced_week is not None and k.announced_week < week]
        return sorted(i for i in past if moves(i, self.kept[i]))[:limit]

    async def links_of(self, service_id: str) -> list[dict[str, str]]:
        kept = next((k for i, k in self.kept.items() if str(i) == service_id), None)
        links = kept.service.service_at_locations if kept else []
        return [{"id": str(sal.id), "location_id": str(sal.the_location_id)} for sal in links]


class FakeCuration:
    def __init__(self, services: FakeServices) -> None:
        self.services = services
        self.history: list[HistoryEntry] = []
        self.merges: dict[UUID, UUID] = {}  # merged away -> kept
        self.dismissed: set[tuple[UUID, UUID]] = set()

    async def record(self, entry: HistoryEntry) -> None:
        self.history.append(entry)

    async def merged_into(self, service_id: UUID) -> UUID | None:
        found = None
        while service_id in self.merges:
            found = service_id = self.merges[service_id]
        return found

    async def record_merge(self, merged_id: UUID, into_id: UUID, *, at: datetime, by: str, score: float | None) -> None:
        self.merges[merged_id] = into_id

    async def dismiss_pair(self, first: UUID, second: UUID, *, at: datetime, by: str) -> None:
        low, high = sorted((first, second))
        self.dismissed.add((low, high))

    async def dismissed_pairs(self) -> list[tuple[UUID, UUID]]:
        return sorted(self.dismissed)

    async def listings(self) -> list[Listing]:
        offered = [
            k.service
            for i, k in sorted(self.services.kept.items())
            if k.withdrawn_at is None and k.service.status == "active" and i not in self.merges
        ]
        return [
            Listing(
                service.id,
                service.name,
                self.services.kept[service.id].source_directory or "curated here",
                service.organization.name if service.organization else None,
                tuple(sorted({a.postal_code for loc in service.locations() for a in loc.addresses})),
                tuple(sorted({p.number for c in service.contacts for p in c.phones})),
                tuple(w for w in (service.url, service.organization.website if service.organization else None) if w),
            )
            for service in offered
        ]

    async def fingerprint(self) -> tuple[object, ...]:
        revisions = sum(k.revision for k in self.services.kept.values())
        return len(self.services.kept), revisions, len(self.merges), len(self.dismissed)


class FakeUptake:
    """Plans counted: each referral's plan version, and the week each of its services was counted in; counting
    moves the service's places taken in that week (`Kept.taken`), as the adapter's plan_activity rows do."""

    def __init__(self, services: FakeServices) -> None:
        self.services = services
        self.versions: dict[UUID, int] = {}
        self.activities: dict[UUID, dict[UUID, date]] = {}  # referral -> service -> week

    async def counted_plan_version(self, referral_id: UUID) -> int | None:
        return self.versions.get(referral_id)

    async def record_plan_version(self, referral_id: UUID, version: int) -> None:
        self.versions[referral_id] = version

    async def counted_activities(self, referral_id: UUID) -> dict[UUID, date]:
        return dict(self.activities.get(referral_id, {}))

    async def replace_activities(self, referral_id: UUID, removed: Iterable[UUID], added: Mapping[UUID, date]) -> None:
        counted = self.activities.setdefault(referral_id, {})
        for service_id in removed:
            if (week := counted.pop(service_id, None)) is not None:
                self.services.kept[service_id].taken[week] -= 1
        for service_id, week in added.items():
            counted[service_id] = week
            taken = self.services.kept[service_id].taken
            taken[week] = taken.get(week, 0) + 1


class FakeUnitOfWork:
    """The directory's records in memory. A transaction (or attempt) that raises leaves them as they were;
    `refusal`, when set, makes the next attempt fail as the database would refuse a write. `session` is what
    a `ChangeSink` is handed: this store itself, or the caller's transaction a unit of work joined."""

    def __init__(self) -> None:
        self.waiting = FakeWaitingEntries()
        self.services = FakeServices(self.waiting)
        self.curation = FakeCuration(self.services)
        self.uptake = FakeUptake(self.services)
        self.refusal: str | None = None
        self.session: Any = self

    def factory(self) -> FakeUnitsOfWork:
        """A `UnitOfWorkFactory` opening this same unit of work each time (as one database would be)."""
        return FakeUnitsOfWork(self)

    # Where everything a transaction may change is held: (holder, attribute).
    _RECORDS = (
        ("waiting", "entries"),
        ("services", "kept"),
        ("services", "organizations_"),
        ("services", "locations_"),
        ("services", "terms_"),
        ("services", "taxonomies"),
        ("curation", "history"),
        ("curation", "merges"),
        ("curation", "dismissed"),
        ("uptake", "versions"),
        ("uptake", "activities"),
    )

    def _state(self) -> list[Any]:
        return [getattr(getattr(self, holder), name) for holder, name in self._RECORDS]

    def _restore(self, saved: list[Any]) -> None:
        for (holder, name), value in zip(self._RECORDS, saved, strict=True):
            setattr(getattr(self, holder), name, value)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        saved = copy.deepcopy(self._state())
        try:
            yield
        except BaseException:
            self._restore(saved)
            raise

    @asynccontextmanager
    async def consumer_transaction(self) -> AsyncIterator[object]:
        """Stands for the consumer's inbox transaction the runtime hands a handler: what the units of work
        `joining` it change is kept only if the block ends without raising. (Not a FakeTransaction: these
        records are written in place, so a rollback restores them as `transaction` does.)"""
        async with self.transaction():
            yield object()

    @asynccontextmanager
    async def attempt(self) -> AsyncIterator[None]:
        async with self.transaction():
            yield
            if self.refusal is not None:
                raise Refused(self.refusal)


class FakeUnitsOfWork:
    """The `UnitOfWorkFactory` port over one fake unit of work."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[FakeUnitOfWork]:
        yield self.uow

    def joining(self, transaction: Any) -> FakeUnitOfWork:
        """The same records, with the caller's transaction as the session a `ChangeSink` writes in."""
        joined = copy.copy(self.uow)
        joined.session = transaction
        return joined


def curator(subject: str, name: str | None = None) -> Principal:
    """A signed-in curator, as the history records them: their id and display name."""
    return Principal(subject, Role.CURATOR, pcn="", name=name)


class FakeSink:
    """Keeps every snapshot handed over, in order; services named in `unpublishable` are refused with the reason."""

    def __init__(self, unpublishable: dict[UUID, str] | None = None) -> None:
        self.snapshots: list[Loaded] = []
        self.sessions: list[Any] = []  # the session each handing-over was made within
        self.unpublishable = unpublishable or {}

    async def services_changed(self, session: Any, snapshots: Sequence[Loaded], now: datetime) -> dict[UUID, str]:
        self.sessions.append(session)
        self.snapshots.extend(s for s in snapshots if s.service.id not in self.unpublishable)
        return {s.service.id: self.unpublishable[s.service.id] for s in snapshots if s.service.id in self.unpublishable}

    def announced(self) -> list[UUID]:
        return [s.service.id for s in self.snapshots]
