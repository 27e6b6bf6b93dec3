"""Applying one record to the directory: merge, write if anything changed, announce what changed.

Every function runs inside a transaction (a savepoint when the caller already has one), so a record
is written whole or not at all, and the `service-changed` snapshots of every service it touched are
added to the outbox in that same transaction. The records are reached through a `UnitOfWork` (ports.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

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
from linkwork_directory.service_layer.ports import Acting, Refused, UnitOfWork
from linkwork_directory.service_layer.ports import ChangeSink as ChangeSink  # where handlers and workers find it


@dataclass
class Applied:
    outcome: Outcome
    warnings: list[str] = field(default_factory=list)


async def announce(
    uow: UnitOfWork, ids: Iterable[UUID], sink: ChangeSink, now: datetime, *, stamp: Iterable[UUID] = ()
) -> list[str]:
    """Record that these services changed and hand their new snapshots to the sink; return warnings."""
    changed = set(ids)
    if not changed:
        return []
    unpublished = await snapshots_of(uow, sorted(changed), sink, now, stamp=stamp)
    return [not_published(service_id, reason) for service_id, reason in unpublished.items()]


async def snapshots_of(
    uow: UnitOfWork, ids: Sequence[UUID], sink: ChangeSink, now: datetime, *, stamp: Iterable[UUID] = ()
) -> dict[UUID, str]:
    """Bump the services' revisions and hand their new snapshots, in the order of `ids`, to the sink; return
    why any could not be published, by service id."""
    await uow.services.mark_changed(ids, now=now, stamp=stamp)
    loaded = await uow.services.load(ids, week=week_starting(now))
    return await sink.services_changed(uow.session, [loaded[i] for i in ids if i in loaded], now)


def not_published(service_id: UUID, reason: str) -> str:
    return f"service {service_id} is not published on service-changed: {reason}"


def _referenced_terms(service: Service) -> set[UUID]:
    return {attribute.term_id for attribute in all_attributes(service)}


async def load_known(uow: UnitOfWork, *services: Service) -> Known:
    """The stored versions of the shared records these services (incoming and stored) refer to."""
    organization_ids = {s.organization_id for s in services if s.organization_id}
    location_ids = {sal.the_location_id for s in services for sal in s.service_at_locations}
    return Known(
        organizations=await uow.services.organizations(organization_ids),
        locations=await uow.services.locations(location_ids),
        terms=await uow.services.terms({term for s in services for term in _referenced_terms(s)}),
    )


async def apply_service(uow: UnitOfWork, incoming: Service, acting: Acting) -> Applied:
    now = acting.now
    stored = (await uow.services.load([incoming.id], week=week_starting(now))).get(incoming.id)
    previous = stored.service if stored else None
    known = await load_known(uow, incoming, *([previous] if previous else []))
    resolved: Resolved = resolve_service(incoming, previous, known)
    if (
        stored is not None
        and same_service(stored.service, resolved.service)
        and not (resolved.organizations or resolved.locations or resolved.terms)
    ):
        return Applied(Outcome.UNCHANGED)
    try:
        async with uow.attempt():
            await uow.services.write_service(resolved, now=now)
            others = await uow.services.dependents(
                resolved.changed_organizations, resolved.changed_locations, resolved.changed_terms
            )
            stamp = others | ({incoming.id} if incoming.last_modified is None else set())
            warnings = await announce(uow, others | {incoming.id}, acting.sink, now, stamp=stamp)
    except Refused as refusal:
        raise RecordRejected(refusal.reason) from refusal
    return Applied(Outcome.CREATED if stored is None else Outcome.UPDATED, warnings)


async def _write_shared(
    uow: UnitOfWork,
    resolved: ResolvedShared[Organization] | ResolvedShared[Location],
    stored: BaseModel | None,
    acting: Acting,
) -> Applied:
    record = resolved.record
    if stored is not None and stored.model_dump() == record.model_dump() and not resolved.terms:
        return Applied(Outcome.UNCHANGED)
    try:
        async with uow.attempt():
            await uow.services.write_terms(resolved.terms)
            if isinstance(record, Organization):
                await uow.services.write_organization(record)
                others = await uow.services.dependents([record.id], [], resolved.changed_terms)
            else:
                await uow.services.write_location(record)
                others = await uow.services.dependents([], [record.id], resolved.changed_terms)
            warnings = await announce(uow, others, acting.sink, acting.now, stamp=others)
    except Refused as refusal:
        raise RecordRejected(refusal.reason) from refusal
    return Applied(Outcome.CREATED if stored is None else Outcome.UPDATED, warnings)


async def apply_organization(uow: UnitOfWork, incoming: Organization, acting: Acting) -> Applied:
    stored = (await uow.services.organizations([incoming.id])).get(incoming.id)
    known = Known(
        organizations={incoming.id: stored} if stored else {},
        terms=await uow.services.terms(a.term_id for a in incoming.attributes),
    )
    return await _write_shared(uow, resolve_organization(incoming, known), stored, acting)


async def apply_location(uow: UnitOfWork, incoming: Location, acting: Acting) -> Applied:
    stored = (await uow.services.locations([incoming.id])).get(incoming.id)
    known = Known(
        locations={incoming.id: stored} if stored else {},
        terms=await uow.services.terms(a.term_id for a in incoming.attributes),
    )
    return await _write_shared(uow, resolve_location(incoming, known), stored, acting)


async def apply_terms(uow: UnitOfWork, terms: list[TaxonomyTerm], taxonomy: Taxonomy | None, acting: Acting) -> Applied:
    """Upsert a taxonomy (with any terms it lists) or a single term."""
    stored_terms = await uow.services.terms([t.id for t in terms])
    stored_taxonomy = None
    if taxonomy is not None:
        stored_taxonomy = await uow.services.taxonomy(taxonomy.id)
    changed_terms = [t.id for t in terms if t.id in stored_terms and stored_terms[t.id] != t]
    new_terms = [t for t in terms if t.id not in stored_terms or stored_terms[t.id] != t]
    taxonomy_changed = taxonomy is not None and (
        stored_taxonomy is None
        or stored_taxonomy.model_dump(exclude={"taxonomy_terms"}) != taxonomy.model_dump(exclude={"taxonomy_terms"})
    )
    if not new_terms and not taxonomy_changed:
        return Applied(Outcome.UNCHANGED)
    try:
        async with uow.attempt():
            if taxonomy is not None:
                await uow.services.write_taxonomy(taxonomy.model_copy(update={"taxonomy_terms": new_terms}))
            else:
                await uow.services.write_terms(new_terms)
            others = await uow.services.dependents([], [], changed_terms)
            warnings = await announce(uow, others, acting.sink, acting.now, stamp=others)
    except Refused as refusal:
        raise RecordRejected(refusal.reason) from refusal
    created = (stored_taxonomy is None) if taxonomy is not None else not stored_terms
    return Applied(Outcome.CREATED if created else Outcome.UPDATED, warnings)


async def seed_needs_taxonomy(uow: UnitOfWork, acting: Acting) -> None:
    """Make sure linkwork's own taxonomies (needs; eligibility and routes, issue 21) are stored (idempotent)."""
    for taxonomy in (needs_taxonomy(), eligibility_taxonomy()):
        await apply_terms(uow, taxonomy.taxonomy_terms, taxonomy, acting)
