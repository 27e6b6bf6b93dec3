"""The ports the directory's use cases talk to, so their rules are unit-tested against in-memory fakes
(tests/directory_fakes.py) in milliseconds while the SQL stays in adapters/ with its integration tests.

Event handlers run inside the consumer's transaction, which also records the event in the inbox: they take
their unit of work `joining` that transaction (`UnitOfWorkFactory.joining`), so what they change, and the
`service-changed` snapshots it causes, commit with the event's receipt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from linkwork_runtime.messaging.handlers import ConsumerTransaction as ConsumerTransaction
from linkwork_runtime.principal import Principal

from linkwork_directory.domain.duplicates import Listing
from linkwork_directory.domain.errors import FieldError
from linkwork_directory.domain.freshness import DueForReview
from linkwork_directory.domain.importing import ImportItem, ImportReport
from linkwork_directory.domain.merging import Resolved
from linkwork_directory.domain.oruk import Location, Organization, Service, Taxonomy, TaxonomyTerm
from linkwork_directory.domain.state import ServiceState
from linkwork_directory.domain.waiting_list import EntrySource, EntryStatus

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


ReviewStores = Callable[[], AbstractAsyncContextManager[ReviewStore]]
"""Where a `ReviewStore` comes from for one count: a connection borrowed from the pool in production
(adapters/review_store.py `review_stores`)."""


class StaleCount(Protocol):
    """Shows how many services are due for review: the `linkwork_directory_stale_services` gauge in production
    (adapters/metrics.py)."""

    def set(self, value: float) -> None: ...


class RecordFormat(Protocol):
    """ORUK's JSON format: records checked against its published schemas, named by the kind of record they
    check ("service", "organization", "location", "taxonomy" or "taxonomy_term"), and a stored service
    written back as a record."""

    def errors(self, kind: str, document: object) -> list[str]:
        """Readable reasons the document does not meet the kind's schema, empty when it does."""
        ...

    def field_errors(self, kind: str, document: object) -> list[FieldError]:
        """The same as `errors`, as {field, rule, message} with messages that never repeat the value."""
        ...

    def service_summary(self, service: Service) -> dict[str, Any]:
        """The service's one-to-one fields and its organization, as a service record."""
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

    def history_entry(self, service_id: UUID, at: datetime) -> HistoryEntry:
        return HistoryEntry(
            service_id, at, self.requested_by, "imported", note=self.note, actor_name=self.requested_by_name
        )


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


@dataclass(frozen=True, slots=True)
class Loaded:
    """A stored service: its ORUK record and what the directory knows beyond it, as of one week."""

    service: Service
    state: ServiceState


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One thing done to a service: who, when, what (the fields changed, or a note)."""

    service_id: UUID
    at: datetime
    actor: str
    action: str
    changes: list[dict[str, str]] = field(default_factory=list)
    note: str | None = None
    actor_name: str | None = None


@dataclass(frozen=True, slots=True)
class Acting:
    """Who changes the directory and when: the time the change's records carry, where the `service-changed`
    snapshots it causes go, and the signed-in person the history names. `by` is None for a change no one
    signed in made (an event's, an import's); the curation use cases need a person."""

    now: datetime
    sink: ChangeSink
    by: Principal | None = None

    def entry(
        self, service_id: UUID, action: str, *, changes: list[dict[str, str]] | None = None, note: str | None = None
    ) -> HistoryEntry:
        """The history entry of this change to the service: its time, the person's id and display name."""
        return HistoryEntry(
            service_id, self.now, self.person.subject, action, changes or [], note, actor_name=self.person.name
        )

    @property
    def person(self) -> Principal:
        if self.by is None:
            raise ValueError("a curator's change needs the person making it")
        return self.by


@dataclass(frozen=True, slots=True)
class QueuedEntry:
    id: UUID
    position: int  # 1 is next to start
    joined_at: datetime
    source: EntrySource


@dataclass(frozen=True, slots=True)
class StoredEntry:
    service_id: UUID
    status: EntryStatus
    joined_at: datetime


class Refused(Exception):
    """The store would not take a write (a child id another record holds, a broken reference); `reason` says
    why in the database's words, naming no person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ServiceRecords(Protocol):
    """Services and the shared records they refer to (organizations, locations, taxonomy terms), with what
    the directory keeps beside each service (capacity, verification, withdrawal, revision)."""

    async def load(self, ids: Iterable[UUID], *, week: date) -> dict[UUID, Loaded]:
        """Fully nested services with their state for `week`; ids that do not exist are left out."""
        ...

    async def organizations(self, ids: Iterable[UUID]) -> dict[UUID, Organization]: ...

    async def locations(self, ids: Iterable[UUID]) -> dict[UUID, Location]: ...

    async def terms(self, ids: Iterable[UUID]) -> dict[UUID, TaxonomyTerm]: ...

    async def taxonomy(self, taxonomy_id: UUID) -> Taxonomy | None:
        """The taxonomy without its terms."""
        ...

    async def write_service(self, resolved: Resolved, *, now: datetime) -> None:
        """The service with the shared records it brings; its children are rewritten whole."""
        ...

    async def write_services(self, resolved: Sequence[Resolved], *, now: datetime) -> None:
        """New services, many at once."""
        ...

    async def write_organization(self, organization: Organization) -> None: ...

    async def write_location(self, location: Location) -> None: ...

    async def write_terms(self, terms: Iterable[TaxonomyTerm]) -> None: ...

    async def write_taxonomy(self, taxonomy: Taxonomy) -> None:
        """The taxonomy and the terms it lists."""
        ...

    async def dependents(self, organizations: list[UUID], locations: list[UUID], terms: list[UUID]) -> set[UUID]:
        """Services whose documents include any of these shared records."""
        ...

    async def mark_changed(self, ids: Iterable[UUID], *, now: datetime, stamp: Iterable[UUID] = ()) -> None:
        """Bump each service's revision and note the week it is announced for; `stamp` also moves
        last_modified to `now`."""
        ...

    async def exists(self, service_id: UUID) -> bool: ...

    async def known(self, ids: Iterable[UUID]) -> set[UUID]:
        """Those of `ids` that are services of this directory."""
        ...

    async def lock(self, service_id: UUID) -> bool:
        """Hold the service until the transaction ends, so a check of its ETag and the write that follows
        cannot interleave with another curator's; False when there is no such service."""
        ...

    async def mark_withdrawn(self, service_id: UUID, *, at: datetime, reason: str) -> None:
        """ORUK status inactive, and when and why it was withdrawn."""
        ...

    async def mark_verified(self, service_id: UUID, *, at: datetime, by: str) -> None:
        """Restart the review clock and move ORUK's assured_date to the day of the check."""
        ...

    async def set_capacity(self, service_id: UUID, places_per_week: int | None, waiting_list: bool) -> None: ...

    async def owner_of(self, service_id: UUID) -> tuple[bool, str | None]:
        """Whether the service exists, and its organization id (canonical text) if it has one."""
        ...

    async def services_of(self, organization_id: UUID) -> list[tuple[UUID, str]]:
        """The organization's services (id, name), by name."""
        ...

    async def lock_past_week(self, *, week: date, window_weeks: int, limit: int) -> list[UUID]:
        """Up to `limit` services whose latest snapshot is for a week before `week` and in which places were
        taken, or with people waiting or starts within `window_weeks`; locked, skipping those another holds."""
        ...

    async def links_of(self, service_id: str) -> list[dict[str, str]]:
        """The service's service_at_location links in their order, as ORUK references `{"id", "location_id"}`;
        `service_id` as a record gave it, so one that is not a UUID finds nothing."""
        ...


class CurationRecords(Protocol):
    """What curators did: each service's history, merges, and duplicate pairs dismissed."""

    async def record(self, entry: HistoryEntry) -> None: ...

    async def merged_into(self, service_id: UUID) -> UUID | None:
        """The service a merged service was merged into, followed to the end; None when not merged."""
        ...

    async def record_merge(
        self, merged_id: UUID, into_id: UUID, *, at: datetime, by: str, score: float | None
    ) -> None: ...

    async def dismiss_pair(self, first: UUID, second: UUID, *, at: datetime, by: str) -> None:
        """The two are not the same service (idempotent, either order)."""
        ...

    async def dismissed_pairs(self) -> list[tuple[UUID, UUID]]: ...

    async def listings(self) -> list[Listing]:
        """What duplicate detection reads of every service still offered and not merged away."""
        ...

    async def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever anything duplicate detection reads may have changed."""
        ...


class WaitingEntries(Protocol):
    """People queuing for services (no person data): an entry only moves forward, waiting -> started or left."""

    async def queue(self, service_id: UUID) -> list[QueuedEntry]:
        """Those waiting, first to start first (by joining time, then id)."""
        ...

    async def entry(self, entry_id: UUID, *, lock: bool = False) -> StoredEntry | None: ...

    async def ahead_of(self, entry_id: UUID, stored: StoredEntry) -> int:
        """How many of the service's waiting entries come before this one."""
        ...

    async def insert(self, entry_id: UUID, service_id: UUID, source: EntrySource, joined_at: datetime) -> bool:
        """Add a waiting entry; False if that id exists already (its first joining time stands)."""
        ...

    async def mark_started(self, entry_id: UUID, at: datetime) -> None: ...

    async def mark_left(self, entry_id: UUID, at: datetime, reason: str) -> None: ...


class UptakeRecords(Protocol):
    """Which services each referral's agreed plan takes places in, and from which week: counted once per plan
    version, so a replayed or older plan changes nothing."""

    async def counted_plan_version(self, referral_id: UUID) -> int | None:
        """The plan version already counted for the referral, locked until the transaction ends."""
        ...

    async def record_plan_version(self, referral_id: UUID, version: int) -> None: ...

    async def counted_activities(self, referral_id: UUID) -> dict[UUID, date]:
        """The week each service of the referral's plan was counted in."""
        ...

    async def replace_activities(self, referral_id: UUID, removed: Iterable[UUID], added: Mapping[UUID, date]) -> None:
        """Stop counting the `removed` services for the referral and count the `added` ones from their week."""
        ...


class UnitOfWork(Protocol):
    """The directory's records, reached in one transaction at a time (cosmicpython's unit of work): a use case
    opens `transaction()` (a savepoint when one is open already) and changes what it needs inside it."""

    @property
    def services(self) -> ServiceRecords: ...

    @property
    def curation(self) -> CurationRecords: ...

    @property
    def waiting(self) -> WaitingEntries: ...

    @property
    def uptake(self) -> UptakeRecords: ...

    @property
    def session(self) -> Any:
        """The open transaction as the store holds it, handed to a `ChangeSink` so the snapshots it writes
        commit or roll back with the change; the use cases pass it on untouched."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Everything inside commits together or not at all."""
        ...

    def attempt(self) -> AbstractAsyncContextManager[None]:
        """A transaction whose refusal by the database is expected (records another one contradicts): rolled
        back and raised as `Refused` with the database's reason."""
        ...


class UnitOfWorkFactory(Protocol):
    """Where a use case's unit of work comes from: on a connection of its own, or inside a transaction the
    caller holds."""

    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work on its own connection, for as long as it is open (a worker's round, an import's
        batch, a start-up step)."""
        ...

    def joining(self, transaction: ConsumerTransaction) -> UnitOfWork:
        """The unit of work inside a transaction its caller owns and ends (the consumer's inbox transaction a
        handler runs in): what it changes commits or rolls back with that transaction, never on its own."""
        ...


class ChangeSink(Protocol):
    """Where snapshots of changed services go (the outbox of the `service-changed` topic)."""

    async def services_changed(self, session: Any, snapshots: Sequence[Loaded], now: datetime) -> dict[UUID, str]:
        """Take the snapshots within `session` (`UnitOfWork.session`); return why any could not be published,
        by service id."""
        ...
