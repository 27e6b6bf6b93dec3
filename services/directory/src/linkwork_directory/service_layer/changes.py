"""Applying one record to the directory: merge, write if anything changed, announce what changed.

Every function runs inside a transaction (a savepoint when the caller already has one), so a record
is written whole or not at all, and the `service-changed` snapshots of every service it touched are
added to the outbox in that same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

import asyncpg
from pydantic import BaseModel

from linkwork_directory.adapters import service_reader as reader
from linkwork_directory.adapters import service_writer as writer
from linkwork_directory.adapters import taxonomy_store
from linkwork_directory.adapters.service_reader import Connection, Loaded
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.eligibility import eligibility_taxonomy
from linkwork_directory.domain.errors import RecordRejected
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.domain.merging import (
    Known,
    Resolved,
    ResolvedShared,
    resolve_location,
    resolve_organization,
    resolve_service,
    same_service,
)
from linkwork_directory.domain.needs import needs_taxonomy
from linkwork_directory.domain.oruk import Location, Organization, Service, Taxonomy, TaxonomyTerm, all_attributes


class ChangeSink(Protocol):
    """Where snapshots of changed services go (the outbox of the `service-changed` topic)."""

    async def services_changed(self, conn: Connection, snapshots: Sequence[Loaded], now: datetime) -> dict[UUID, str]:
        """Take the snapshots; return why any could not be published, by service id."""
        ...


@dataclass
class Applied:
    outcome: Outcome
    warnings: list[str] = field(default_factory=list)


async def announce(
    conn: Connection, ids: Iterable[UUID], sink: ChangeSink, now: datetime, *, stamp: Iterable[UUID] = ()
) -> list[str]:
    """Record that these services changed and hand their new snapshots to the sink; return warnings."""
    changed = set(ids)
    if not changed:
        return []
    await writer.mark_changed(conn, changed, now=now, stamp=stamp)
    loaded = await reader.load_services(conn, changed, week=week_starting(now))
    unpublished = await sink.services_changed(conn, [loaded[i] for i in sorted(loaded)], now)
    return [not_published(service_id, reason) for service_id, reason in unpublished.items()]


def not_published(service_id: UUID, reason: str) -> str:
    return f"service {service_id} is not published on service-changed: {reason}"


def _referenced_terms(service: Service) -> set[UUID]:
    return {attribute.term_id for attribute in all_attributes(service)}


async def load_known(conn: Connection, *services: Service) -> Known:
    """The stored versions of the shared records these services (incoming and stored) refer to."""
    organization_ids = {s.organization_id for s in services if s.organization_id}
    location_ids = {sal.the_location_id for s in services for sal in s.service_at_locations}
    return Known(
        organizations=await reader.load_organizations(conn, organization_ids),
        locations=await reader.load_locations(conn, location_ids),
        terms=await reader.load_terms(conn, {term for s in services for term in _referenced_terms(s)}),
    )


def _database_reason(error: asyncpg.PostgresError) -> str:
    detail = getattr(error, "detail", None)
    if isinstance(error, asyncpg.UniqueViolationError):
        table = getattr(error, "table_name", "record")
        return f"{detail or error}: that {table} id already belongs to another record"
    return f"{error}" + (f" ({detail})" if detail else "")


async def apply_service(conn: Connection, incoming: Service, *, now: datetime, sink: ChangeSink) -> Applied:
    stored = (await reader.load_services(conn, [incoming.id], week=week_starting(now))).get(incoming.id)
    previous = stored.service if stored else None
    known = await load_known(conn, incoming, *([previous] if previous else []))
    resolved: Resolved = resolve_service(incoming, previous, known)
    if (
        stored is not None
        and same_service(stored.service, resolved.service)
        and not (resolved.organizations or resolved.locations or resolved.terms)
    ):
        return Applied(Outcome.UNCHANGED)
    try:
        async with conn.transaction():
            await writer.write_service(conn, resolved, now=now)
            others = await writer.dependents(
                conn, resolved.changed_organizations, resolved.changed_locations, resolved.changed_terms
            )
            stamp = others | ({incoming.id} if incoming.last_modified is None else set())
            warnings = await announce(conn, others | {incoming.id}, sink, now, stamp=stamp)
    except asyncpg.PostgresError as error:
        raise RecordRejected(_database_reason(error)) from error
    return Applied(Outcome.CREATED if stored is None else Outcome.UPDATED, warnings)


async def _write_shared(
    conn: Connection,
    resolved: ResolvedShared[Organization] | ResolvedShared[Location],
    stored: BaseModel | None,
    *,
    now: datetime,
    sink: ChangeSink,
) -> Applied:
    record = resolved.record
    if stored is not None and stored.model_dump() == record.model_dump() and not resolved.terms:
        return Applied(Outcome.UNCHANGED)
    try:
        async with conn.transaction():
            await writer.write_terms(conn, resolved.terms)
            if isinstance(record, Organization):
                await writer.write_organization(conn, record)
                others = await writer.dependents(conn, [record.id], [], resolved.changed_terms)
            else:
                await writer.write_location(conn, record)
                others = await writer.dependents(conn, [], [record.id], resolved.changed_terms)
            warnings = await announce(conn, others, sink, now, stamp=others)
    except asyncpg.PostgresError as error:
        raise RecordRejected(_database_reason(error)) from error
    return Applied(Outcome.CREATED if stored is None else Outcome.UPDATED, warnings)


async def apply_organization(conn: Connection, incoming: Organization, *, now: datetime, sink: ChangeSink) -> Applied:
    stored = (await reader.load_organizations(conn, [incoming.id])).get(incoming.id)
    known = Known(
        organizations={incoming.id: stored} if stored else {},
        terms=await reader.load_terms(conn, (a.term_id for a in incoming.attributes)),
    )
    return await _write_shared(conn, resolve_organization(incoming, known), stored, now=now, sink=sink)


async def apply_location(conn: Connection, incoming: Location, *, now: datetime, sink: ChangeSink) -> Applied:
    stored = (await reader.load_locations(conn, [incoming.id])).get(incoming.id)
    known = Known(
        locations={incoming.id: stored} if stored else {},
        terms=await reader.load_terms(conn, (a.term_id for a in incoming.attributes)),
    )
    return await _write_shared(conn, resolve_location(incoming, known), stored, now=now, sink=sink)


async def apply_terms(
    conn: Connection, terms: list[TaxonomyTerm], taxonomy: Taxonomy | None, *, now: datetime, sink: ChangeSink
) -> Applied:
    """Upsert a taxonomy (with any terms it lists) or a single term."""
    stored_terms = await reader.load_terms(conn, [t.id for t in terms])
    stored_taxonomy = None
    if taxonomy is not None:
        stored_taxonomy = await taxonomy_store.taxonomy(conn, taxonomy.id)
    changed_terms = [t.id for t in terms if t.id in stored_terms and stored_terms[t.id] != t]
    new_terms = [t for t in terms if t.id not in stored_terms or stored_terms[t.id] != t]
    taxonomy_changed = taxonomy is not None and (
        stored_taxonomy is None
        or stored_taxonomy.model_dump(exclude={"taxonomy_terms"}) != taxonomy.model_dump(exclude={"taxonomy_terms"})
    )
    if not new_terms and not taxonomy_changed:
        return Applied(Outcome.UNCHANGED)
    try:
        async with conn.transaction():
            if taxonomy is not None:
                await writer.write_taxonomy(conn, taxonomy.model_copy(update={"taxonomy_terms": new_terms}))
            else:
                await writer.write_terms(conn, new_terms)
            others = await writer.dependents(conn, [], [], changed_terms)
            warnings = await announce(conn, others, sink, now, stamp=others)
    except asyncpg.PostgresError as error:
        raise RecordRejected(_database_reason(error)) from error
    created = (stored_taxonomy is None) if taxonomy is not None else not stored_terms
    return Applied(Outcome.CREATED if created else Outcome.UPDATED, warnings)


async def seed_needs_taxonomy(conn: Connection, *, now: datetime, sink: ChangeSink) -> None:
    """Make sure linkwork's own taxonomies (needs; eligibility and routes, issue 21) are stored (idempotent)."""
    for taxonomy in (needs_taxonomy(), eligibility_taxonomy()):
        await apply_terms(conn, taxonomy.taxonomy_terms, taxonomy, now=now, sink=sink)
