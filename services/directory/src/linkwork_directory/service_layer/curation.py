"""A curator's changes to one service: save (create or update), patch, withdraw, verify, merge.

Each change to an existing service may name the version it was made to (its ETag, sent as If-Match); the
service's row is locked, the tag compared and the change written in one transaction, so of two curators
editing the same version one succeeds and the other is told, instead of silently overwriting. Every change
adds a history entry: who, when, what (who and when: the `Acting` value each use case takes). The records
are reached through a `UnitOfWork` (ports.py).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from linkwork_directory.domain import versions
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.errors import StaleVersion, UnknownService, VersionRequired
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.domain.oruk import Service
from linkwork_directory.service_layer.changes import Applied, announce, apply_service
from linkwork_directory.service_layer.ports import Acting, Loaded, UnitOfWork


async def load(uow: UnitOfWork, service_id: UUID, now: datetime) -> Loaded:
    found = (await uow.services.load([service_id], week=week_starting(now))).get(service_id)
    if found is None:
        raise UnknownService(service_id)
    return found


def etag(loaded: Loaded) -> str:
    return versions.etag(loaded.service, loaded.state)


async def _checked(uow: UnitOfWork, service_id: UUID, now: datetime, if_match: str | None) -> Loaded | None:
    """Lock the service and check the version the change was made to; None when the service is new."""
    if not await uow.services.lock(service_id):
        if if_match is not None and if_match.strip() != "":
            raise StaleVersion(service_id)  # RFC 9110: If-Match fails when there is no current representation
        return None
    current = await load(uow, service_id, now)
    if if_match is not None and not versions.if_match_allows(if_match, etag(current)):
        raise StaleVersion(service_id)
    return current


async def verify_version(uow: UnitOfWork, service_id: UUID, now: datetime, if_match: str | None) -> Loaded:
    """Lock an existing service and check If-Match (when given) without changing it."""
    current = await _checked(uow, service_id, now, if_match)
    if current is None:
        raise UnknownService(service_id)
    return current


async def save(
    uow: UnitOfWork,
    incoming: Service,
    acting: Acting,
    *,
    if_match: str | None = None,
    require_version: bool = False,
) -> tuple[Applied, Loaded]:
    now = acting.now
    async with uow.transaction():
        current = await _checked(uow, incoming.id, now, if_match)
        if current is not None and require_version and if_match is None:
            raise VersionRequired(incoming.id)
        applied = await apply_service(uow, incoming, acting)
        loaded = await load(uow, incoming.id, now)
        if applied.outcome is not Outcome.UNCHANGED:
            before = versions.editable(current.service, current.state) if current else None
            diff = versions.changes(before, versions.editable(loaded.service, loaded.state))
            action = "created" if current is None else "updated"
            await uow.curation.record(acting.entry(incoming.id, action, changes=diff))
        return applied, loaded


async def withdraw(
    uow: UnitOfWork, service_id: UUID, acting: Acting, *, reason: str, if_match: str | None = None
) -> Loaded:
    """Stop offering the service: ORUK status inactive, and a final snapshot with status withdrawn."""
    now = acting.now
    async with uow.transaction():
        current = await _checked(uow, service_id, now, if_match)
        if current is None:
            raise UnknownService(service_id)
        if current.state.withdrawn_at is None:
            await uow.services.mark_withdrawn(service_id, at=now, reason=reason)
            await announce(uow, [service_id], acting.sink, now, stamp=[service_id])
            await uow.curation.record(acting.entry(service_id, "withdrawn", note=reason))
        return await load(uow, service_id, now)


async def verify(uow: UnitOfWork, service_id: UUID, acting: Acting, *, if_match: str | None = None) -> Loaded:
    """A curator confirmed the details: the review clock restarts and ORUK's assured_date moves."""
    now = acting.now
    async with uow.transaction():
        if await _checked(uow, service_id, now, if_match) is None:
            raise UnknownService(service_id)
        await uow.services.mark_verified(service_id, at=now, by=acting.person.subject)
        await announce(uow, [service_id], acting.sink, now, stamp=[service_id])
        await uow.curation.record(acting.entry(service_id, "verified"))
        return await load(uow, service_id, now)
