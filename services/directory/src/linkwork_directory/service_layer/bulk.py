"""The fast path of a bulk import: many new services written with one statement per table, and
re-imported services that would change nothing recognised without touching them.

Loading a directory for the first time means tens of thousands of new services. Applying them one
by one costs some sixty round trips each; here a batch of new services is resolved together, written
in one savepoint and announced in one go. Anything this path cannot decide alone goes back to the
one-by-one path, which has the last word: services that already exist and change (updates), records whose
references it cannot resolve (they may point at a record earlier in the same batch), records that
change a shared organization, location or term (other services must then be announced too), and the
whole batch if the database refuses it (so the one-by-one path finds which record is at fault).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.errors import RecordRejected
from linkwork_directory.domain.merging import Resolved, resolve_service, same_service
from linkwork_directory.domain.oruk import Service
from linkwork_directory.service_layer.changes import load_known, not_published, snapshots_of
from linkwork_directory.service_layer.ports import Acting, Refused, UnitOfWork


@dataclass
class BulkOutcome:
    created: dict[int, list[str]]  # position in the batch -> warnings
    unchanged: list[int]  # records that would change nothing
    left_over: list[int]  # positions the one-by-one path must apply


async def create_new_services(uow: UnitOfWork, services: dict[int, Service], acting: Acting) -> BulkOutcome:
    now = acting.now
    seen: set[UUID] = set()
    first: dict[int, Service] = {}
    left_over: list[int] = []
    for position, service in services.items():
        if service.id in seen:
            left_over.append(position)  # the same id twice: apply in order, one by one
        else:
            seen.add(service.id)
            first[position] = service
    existing = await uow.services.load([s.id for s in first.values()], week=week_starting(now))
    new = {p: s for p, s in first.items() if s.id not in existing}
    stored = [loaded.service for loaded in existing.values()]
    known = await load_known(uow, *first.values(), *stored)
    unchanged: list[int] = []
    for position, service in first.items():
        if position in new:
            continue
        previous = existing[service.id].service
        try:
            resolved = resolve_service(service, previous, known)
        except RecordRejected:
            left_over.append(position)
            continue
        if same_service(previous, resolved.service) and not (
            resolved.organizations or resolved.locations or resolved.terms
        ):
            unchanged.append(position)  # a re-import: nothing to write or announce
        else:
            left_over.append(position)
    ready: dict[int, Resolved] = {}
    for position, service in new.items():
        try:
            resolved = resolve_service(service, None, known)
        except RecordRejected:
            left_over.append(position)
            continue
        if resolved.changed_organizations or resolved.changed_locations or resolved.changed_terms:
            left_over.append(position)
        else:
            ready[position] = resolved
    if not ready:
        return BulkOutcome({}, unchanged, sorted(left_over))
    try:
        async with uow.attempt():
            await uow.services.write_services(list(ready.values()), now=now)
            ids = [r.service.id for r in ready.values()]
            stamp = [r.service.id for p, r in ready.items() if services[p].last_modified is None]
            unpublished = await snapshots_of(uow, ids, acting.sink, now, stamp=stamp)
    except Refused:
        return BulkOutcome({}, unchanged, sorted(left_over + list(ready)))
    created = {
        position: [not_published(r.service.id, unpublished[r.service.id])] if r.service.id in unpublished else []
        for position, r in ready.items()
    }
    return BulkOutcome(created, unchanged, sorted(left_over))
