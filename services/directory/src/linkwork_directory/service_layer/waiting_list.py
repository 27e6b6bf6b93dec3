"""A service's waiting list and capacity as its provider (or the events of activity referrals) change them.

Every change runs in one transaction with the `service-changed` snapshot it causes, like any other
change to a service. Changes are idempotent, so an event read twice or a form sent twice does no harm:
joining twice keeps the first joining time, and an entry only moves forward (waiting -> started or
left; a start is never undone by a late "left"). The records are reached through a `UnitOfWork` (ports.py).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from linkwork_directory.domain.errors import NotYourService, UnknownEntry, UnknownService
from linkwork_directory.domain.waiting_list import EntrySource, EntryStatus
from linkwork_directory.service_layer.changes import announce
from linkwork_directory.service_layer.curation import load
from linkwork_directory.service_layer.ports import Acting, Loaded, QueuedEntry, UnitOfWork

__all__ = ["QueuedEntry", "check_owner", "join", "leave", "position", "queue", "services_of", "set_capacity", "start"]


async def check_owner(uow: UnitOfWork, service_id: UUID, organisation: str | None) -> None:
    """Providers manage only their own organisation's services; `None` (a curator) manages any."""
    exists, owner = await uow.services.owner_of(service_id)
    if not exists:
        raise UnknownService(service_id)
    if organisation is not None and owner != organisation.lower():
        raise NotYourService(service_id)


async def services_of(uow: UnitOfWork, organisation: str) -> list[tuple[UUID, str]]:
    try:
        organization_id = UUID(organisation)
    except ValueError:
        return []  # not a directory organisation id: it owns nothing here
    return await uow.services.services_of(organization_id)


async def queue(uow: UnitOfWork, service_id: UUID) -> list[QueuedEntry]:
    return await uow.waiting.queue(service_id)


async def position(uow: UnitOfWork, entry_id: UUID) -> tuple[UUID, int | None, EntryStatus] | None:
    """The entry's service, its place in the queue (None once it has left the queue) and its status."""
    stored = await uow.waiting.entry(entry_id)
    if stored is None:
        return None
    if stored.status is not EntryStatus.WAITING:
        return stored.service_id, None, stored.status
    return stored.service_id, await uow.waiting.ahead_of(entry_id, stored) + 1, stored.status


async def join(
    uow: UnitOfWork,
    service_id: UUID,
    acting: Acting,
    *,
    source: EntrySource,
    joined_at: datetime,
    entry_id: UUID | None = None,
) -> UUID:
    """Put someone on the waiting list (no-op if that entry exists already); returns the entry id."""
    entry = entry_id or uuid4()
    async with uow.transaction():
        if await uow.waiting.insert(entry, service_id, source, joined_at):
            await announce(uow, [service_id], acting.sink, acting.now)
    return entry


async def _move(
    uow: UnitOfWork,
    entry_id: UUID,
    acting: Acting,
    *,
    to: EntryStatus,
    at: datetime,
    service_id: UUID | None,
    reason: str = "",
) -> bool:
    async with uow.transaction():
        stored = await uow.waiting.entry(entry_id, lock=True)
        if stored is None or (service_id is not None and stored.service_id != service_id):
            raise UnknownEntry(entry_id)
        if stored.status is not EntryStatus.WAITING:
            return False
        if to is EntryStatus.STARTED:
            await uow.waiting.mark_started(entry_id, at)
        else:
            await uow.waiting.mark_left(entry_id, at, reason)
        await announce(uow, [stored.service_id], acting.sink, acting.now)
        return True


async def start(
    uow: UnitOfWork, entry_id: UUID, acting: Acting, *, at: datetime, service_id: UUID | None = None
) -> bool:
    """The person started: off the queue, and counted in the service's throughput. False if already moved."""
    return await _move(uow, entry_id, acting, to=EntryStatus.STARTED, at=at, service_id=service_id)


async def leave(
    uow: UnitOfWork, entry_id: UUID, acting: Acting, *, reason: str, at: datetime, service_id: UUID | None = None
) -> bool:
    """The person will not start (declined, withdrew, removed). False if already moved."""
    return await _move(uow, entry_id, acting, to=EntryStatus.LEFT, at=at, service_id=service_id, reason=reason)


async def set_capacity(
    uow: UnitOfWork, service_id: UUID, acting: Acting, *, places_per_week: int | None, waiting_list: bool
) -> Loaded:
    """The provider's own figures: places each week and whether it keeps a waiting list when full."""
    now = acting.now
    async with uow.transaction():
        current = await load(uow, service_id, now)
        settings = current.state.settings
        if (settings.places_per_week, settings.waiting_list) != (places_per_week, waiting_list):
            await uow.services.set_capacity(service_id, places_per_week, waiting_list)
            await announce(uow, [service_id], acting.sink, now, stamp=[service_id])
        return await load(uow, service_id, now)
