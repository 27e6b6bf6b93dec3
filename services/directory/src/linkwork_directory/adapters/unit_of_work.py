"""The service layer's unit of work (service_layer/ports.py `UnitOfWork`) over one PostgreSQL connection.

Each record port is a thin face on the table modules (service_reader, service_writer, curation_store,
waiting_list_store, uptake_store, taxonomy_store, service_at_location_store), which routes also call
directly; the SQL stays in those modules. `PostgresUnitsOfWork` is the `UnitOfWorkFactory` port: a unit of
work on a connection borrowed from the pool, or on the connection of a transaction the caller holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

import asyncpg

from linkwork_directory.adapters import (
    curation_store,
    service_at_location_store,
    service_writer,
    taxonomy_store,
    uptake_store,
    waiting_list_store,
)
from linkwork_directory.adapters import service_reader as reader
from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.domain.duplicates import Listing
from linkwork_directory.domain.merging import Resolved
from linkwork_directory.domain.oruk import Location, Organization, Taxonomy, TaxonomyTerm
from linkwork_directory.domain.waiting_list import EntrySource
from linkwork_directory.service_layer.ports import (
    HistoryEntry,
    Loaded,
    QueuedEntry,
    Refused,
    StoredEntry,
    UnitOfWorkFactory,
)

T = TypeVar("T")


class PostgresServices:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def load(self, ids: Iterable[UUID], *, week: date) -> dict[UUID, Loaded]:
        return await reader.load_services(self.conn, ids, week=week)

    async def organizations(self, ids: Iterable[UUID]) -> dict[UUID, Organization]:
        return await reader.load_organizations(self.conn, ids)

    async def locations(self, ids: Iterable[UUID]) -> dict[UUID, Location]:
        return await reader.load_locations(self.conn, ids)

    async def terms(self, ids: Iterable[UUID]) -> dict[UUID, TaxonomyTerm]:
        return await reader.load_terms(self.conn, ids)

    async def taxonomy(self, taxonomy_id: UUID) -> Taxonomy | None:
        return await taxonomy_store.taxonomy(self.conn, taxonomy_id)

    async def write_service(self, resolved: Resolved, *, now: datetime) -> None:
        await service_writer.write_service(self.conn, resolved, now=now)

    async def write_services(self, resolved: Sequence[Resolved], *, now: datetime) -> None:
        await service_writer.write_services(self.conn, resolved, now=now)

    async def write_organization(self, organization: Organization) -> None:
        await service_writer.write_organizations(self.conn, [organization])

    async def write_location(self, location: Location) -> None:
        await service_writer.write_locations(self.conn, [location])

    async def write_terms(self, terms: Iterable[TaxonomyTerm]) -> None:
        await service_writer.write_terms(self.conn, terms)

    async def write_taxonomy(self, taxonomy: Taxonomy) -> None:
        await service_writer.write_taxonomy(self.conn, taxonomy)

    async def dependents(self, organizations: list[UUID], locations: list[UUID], terms: list[UUID]) -> set[UUID]:
        return await service_writer.dependents(self.conn, organizations, locations, terms)

    async def mark_changed(self, ids: Iterable[UUID], *, now: datetime, stamp: Iterable[UUID] = ()) -> None:
        await service_writer.mark_changed(self.conn, ids, now=now, stamp=stamp)

    async def exists(self, service_id: UUID) -> bool:
        return await curation_store.exists(self.conn, service_id)

    async def known(self, ids: Iterable[UUID]) -> set[UUID]:
        return await uptake_store.known_services(self.conn, ids)

    async def lock(self, service_id: UUID) -> bool:
        return await curation_store.lock_service(self.conn, service_id)

    async def mark_withdrawn(self, service_id: UUID, *, at: datetime, reason: str) -> None:
        await curation_store.mark_withdrawn(self.conn, service_id, at=at, reason=reason)

    async def mark_verified(self, service_id: UUID, *, at: datetime, by: str) -> None:
        await curation_store.mark_verified(self.conn, service_id, at=at, by=by)

    async def set_capacity(self, service_id: UUID, places_per_week: int | None, waiting_list: bool) -> None:
        await waiting_list_store.set_capacity(self.conn, service_id, places_per_week, waiting_list)

    async def owner_of(self, service_id: UUID) -> tuple[bool, str | None]:
        return await waiting_list_store.owner_of(self.conn, service_id)

    async def services_of(self, organization_id: UUID) -> list[tuple[UUID, str]]:
        return await waiting_list_store.services_of(self.conn, organization_id)

    async def lock_past_week(self, *, week: date, window_weeks: int, limit: int) -> list[UUID]:
        return await uptake_store.lock_services_of_past_week(
            self.conn, week=week, window_weeks=window_weeks, limit=limit
        )

    async def links_of(self, service_id: str) -> list[dict[str, str]]:
        return await service_at_location_store.links_of(self.conn, service_id)


class PostgresCuration:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, entry: HistoryEntry) -> None:
        await curation_store.record(self.conn, [entry])

    async def merged_into(self, service_id: UUID) -> UUID | None:
        return await curation_store.merged_into(self.conn, service_id)

    async def record_merge(self, merged_id: UUID, into_id: UUID, *, at: datetime, by: str, score: float | None) -> None:
        await curation_store.record_merge(self.conn, merged_id, into_id, at=at, by=by, score=score)

    async def dismiss_pair(self, first: UUID, second: UUID, *, at: datetime, by: str) -> None:
        await curation_store.dismiss_pair(self.conn, first, second, at=at, by=by)

    async def dismissed_pairs(self) -> list[tuple[UUID, UUID]]:
        return await curation_store.dismissed_pairs(self.conn)

    async def listings(self) -> list[Listing]:
        return await curation_store.load_listings(self.conn)

    async def fingerprint(self) -> tuple[object, ...]:
        return await curation_store.directory_fingerprint(self.conn)


class PostgresWaitingEntries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def queue(self, service_id: UUID) -> list[QueuedEntry]:
        return await waiting_list_store.queue(self.conn, service_id)

    async def entry(self, entry_id: UUID, *, lock: bool = False) -> StoredEntry | None:
        return await waiting_list_store.entry(self.conn, entry_id, lock=lock)

    async def ahead_of(self, entry_id: UUID, stored: StoredEntry) -> int:
        return await waiting_list_store.ahead_of(self.conn, entry_id, stored)

    async def insert(self, entry_id: UUID, service_id: UUID, source: EntrySource, joined_at: datetime) -> bool:
        return await waiting_list_store.insert(self.conn, entry_id, service_id, source, joined_at)

    async def mark_started(self, entry_id: UUID, at: datetime) -> None:
        await waiting_list_store.mark_started(self.conn, entry_id, at)

    async def mark_left(self, entry_id: UUID, at: datetime, reason: str) -> None:
        await waiting_list_store.mark_left(self.conn, entry_id, at, reason)


class PostgresUptake:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def counted_plan_version(self, referral_id: UUID) -> int | None:
        return await uptake_store.counted_plan_version(self.conn, referral_id)

    async def record_plan_version(self, referral_id: UUID, version: int) -> None:
        await uptake_store.record_plan_version(self.conn, referral_id, version)

    async def counted_activities(self, referral_id: UUID) -> dict[UUID, date]:
        return await uptake_store.counted_activities(self.conn, referral_id)

    async def replace_activities(self, referral_id: UUID, removed: Iterable[UUID], added: Mapping[UUID, date]) -> None:
        await uptake_store.replace_activities(self.conn, referral_id, removed, added)


def database_reason(error: asyncpg.PostgresError) -> str:
    """Why PostgreSQL refused a write, in its own words plus what a curator can act on."""
    detail = getattr(error, "detail", None)
    if isinstance(error, asyncpg.UniqueViolationError):
        table = getattr(error, "table_name", "record")
        return f"{detail or error}: that {table} id already belongs to another record"
    return f"{error}" + (f" ({detail})" if detail else "")


class PostgresUnitOfWork:
    """On a connection the caller holds (a route's, a consumer's); `session` is that connection, so the outbox
    sink writes in the same transaction."""

    def __init__(self, conn: Connection) -> None:
        self.session = conn
        self.services = PostgresServices(conn)
        self.curation = PostgresCuration(conn)
        self.waiting = PostgresWaitingEntries(conn)
        self.uptake = PostgresUptake(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        async with self.session.transaction():
            yield

    @asynccontextmanager
    async def attempt(self) -> AsyncIterator[None]:
        try:
            async with self.session.transaction():
                yield
        except asyncpg.PostgresError as error:
            raise Refused(database_reason(error)) from error


def on_borrowed_connection(
    pool: asyncpg.Pool, adapter: Callable[[Connection], T]
) -> Callable[[], AbstractAsyncContextManager[T]]:
    """Opens `adapter` on a connection borrowed from `pool` for as long as it is open: the factories the use
    cases take (`UnitOfWorkFactory`, `ReviewStores`) in production."""

    @asynccontextmanager
    async def open_one() -> AsyncIterator[T]:
        async with pool.acquire() as conn:
            yield adapter(conn)

    return open_one


class PostgresUnitsOfWork:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._borrowed = on_borrowed_connection(pool, PostgresUnitOfWork)

    def __call__(self) -> AbstractAsyncContextManager[PostgresUnitOfWork]:
        return self._borrowed()

    def joining(self, transaction: Connection) -> PostgresUnitOfWork:
        # Its `transaction()` is then a savepoint inside the caller's, and the outbox sink writes on the
        # caller's connection: everything commits when the caller commits.
        return PostgresUnitOfWork(transaction)


def unit_of_work_factory(pool: asyncpg.Pool) -> UnitOfWorkFactory:
    """Units of work each on a connection borrowed from `pool` for as long as it is open, or joining the
    caller's transaction."""
    return PostgresUnitsOfWork(pool)
