"""Providers' own capacity and waiting lists (issue 17): role `provider`, only its organisation's services.

A provider's token carries `org`, the ORUK organization id its services belong to; a curator may manage
any service (and gets the same view). Entries carry no person data: an id, when they joined, whence.
Paths are POST actions rather than PATCH/DELETE so the console's plain HTML forms map onto them one to one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path
from linkwork_runtime.auth import CurrentPrincipal, Principal, Role, require_role
from linkwork_runtime.openapi import example
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, ConfigDict, Field

from linkwork_directory.api.runtime import Caller, DirectoryRuntime, SignedIn, UnitOfWorkDep
from linkwork_directory.domain.errors import NotYourService, UnknownEntry, UnknownService
from linkwork_directory.domain.waiting_list import MAX_WAIT_WEEKS, WINDOW_WEEKS, EntrySource, EntryStatus
from linkwork_directory.service_layer import waiting_list as waiting
from linkwork_directory.service_layer.curation import load
from linkwork_directory.service_layer.ports import Loaded, UnitOfWork

router = APIRouter(tags=["providers"])
ServiceId = Annotated[UUID, Path(description="The service's id")]
EntryId = Annotated[
    UUID, Path(description="The waiting-list entry's id (an activity referral's id, or one given here)")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CapacityUpdate(_Strict):
    model_config = example({"places_per_week": 12, "waiting_list": True})

    places_per_week: int | None = Field(
        ge=0, le=100_000, description="People the service can start each week; null when it sets no limit"
    )
    waiting_list: bool = Field(description="When full, new people join a waiting list (false: they are turned away)")


class Removal(_Strict):
    model_config = example({"reason": "started-elsewhere"})

    reason: Literal["started-elsewhere", "no-longer-wanted", "could-not-contact", "not-eligible", "other"] = Field(
        description="Why the person left the waiting list without starting"
    )


class Entry(BaseModel):
    id: UUID
    position: int = Field(ge=1, description="1 is next to start")
    joined_at: datetime
    source: EntrySource


class WaitingList(BaseModel):
    service_id: UUID
    name: str
    places_per_week: int | None
    places_remaining: int | None = Field(description="Places still free this week; null with no limit")
    waiting_list: bool
    capacity_status: str
    waiting: int = Field(ge=0, description="People on the waiting list now")
    estimated_wait_weeks: int | None = Field(
        ge=0, le=MAX_WAIT_WEEKS, description="For someone joining now; null when nothing supports an estimate"
    )
    wait_basis: str | None = Field(description="places-free, observed (recent starts) or declared (places per week)")
    starts_per_week: float | None = Field(description=f"The rate used: starts per week over {WINDOW_WEEKS} weeks")
    entries: list[Entry]


class OwnService(BaseModel):
    id: UUID
    name: str


class Position(BaseModel):
    entry_id: UUID
    service_id: UUID
    status: EntryStatus
    position: int | None = Field(description="Place in the queue while waiting; null once started or left")


def _may_manage(principal: Principal) -> str | None:
    """The organisation the principal is limited to; None for a curator (any service)."""
    require_role(principal, Role.PROVIDER, Role.CURATOR)
    if principal.role is Role.CURATOR:
        return None
    if not principal.organisation:
        raise Problem(403, "Forbidden", "org: a provider's token must name its organisation (claim 'org')")
    return principal.organisation


async def _owned(uow: UnitOfWork, service_id: UUID, principal: Principal) -> None:
    try:
        await waiting.check_owner(uow, service_id, _may_manage(principal))
    except UnknownService as error:
        raise Problem(404, "Not found", f"service_id: {error}") from error
    except NotYourService as error:
        # 404, not 403: a provider learns nothing about other organisations' services, not even that they exist.
        raise Problem(404, "Not found", f"service_id: no service with id {service_id} for your organisation") from error


async def _view(uow: UnitOfWork, loaded: Loaded) -> WaitingList:
    state, wait = loaded.state, loaded.state.wait
    entries = await waiting.queue(uow, loaded.service.id)
    return WaitingList(
        service_id=loaded.service.id,
        name=loaded.service.name,
        places_per_week=state.settings.places_per_week,
        places_remaining=state.places_remaining,
        waiting_list=state.settings.waiting_list,
        capacity_status=state.capacity_status.value,
        waiting=state.waiting,
        estimated_wait_weeks=wait.weeks,
        wait_basis=wait.basis.value if wait.basis else None,
        starts_per_week=wait.starts_per_week,
        entries=[Entry(id=e.id, position=e.position, joined_at=e.joined_at, source=e.source) for e in entries],
    )


@router.get("/provider/services", summary="The services of the signed-in provider's organisation")
async def own_services(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> list[OwnService]:
    require_role(principal, Role.PROVIDER)
    organisation = _may_manage(principal)
    assert organisation is not None
    owned = await waiting.services_of(uow, organisation)
    return [OwnService(id=id, name=name) for id, name in owned]


@asynccontextmanager
async def _managing(caller: Caller, uow: UnitOfWork, service_id: UUID) -> AsyncIterator[None]:
    """Changing or reading one service the signed-in provider (or a curator) manages; an entry not on its list
    is a 404 naming entry_id."""
    await _owned(uow, service_id, caller.principal)
    try:
        yield
    except UnknownEntry as error:
        raise Problem(404, "Not found", f"entry_id: {error}") from error


@router.get("/services/{service_id}/waiting-list", summary="A service's capacity, waiting list and estimated wait")
async def get_waiting_list(service_id: ServiceId, caller: SignedIn, uow: UnitOfWorkDep) -> WaitingList:
    async with _managing(caller, uow, service_id):
        return await _moved(uow, service_id, caller.runtime)


@router.put(
    "/services/{service_id}/capacity", summary="Set places per week and whether the service keeps a waiting list"
)
async def put_capacity(
    service_id: ServiceId, body: CapacityUpdate, caller: SignedIn, uow: UnitOfWorkDep
) -> WaitingList:
    async with _managing(caller, uow, service_id):
        loaded = await waiting.set_capacity(
            uow,
            service_id,
            caller.acting(),
            places_per_week=body.places_per_week,
            waiting_list=body.waiting_list,
        )
        view = await _view(uow, loaded)
    await caller.runtime.after_change()
    return view


@router.post(
    "/services/{service_id}/waiting-list",
    status_code=201,
    summary="Add someone who came another way (not through linkwork) to the end of the waiting list",
)
async def add_entry(service_id: ServiceId, caller: SignedIn, uow: UnitOfWorkDep) -> WaitingList:
    acting = caller.acting()
    async with _managing(caller, uow, service_id):
        await waiting.join(uow, service_id, acting, source=EntrySource.PROVIDER, joined_at=acting.now)
        return await _view(uow, await load(uow, service_id, acting.now))


async def _moved(uow: UnitOfWork, service_id: UUID, runtime: DirectoryRuntime) -> WaitingList:
    return await _view(uow, await load(uow, service_id, runtime.clock.now()))


@router.post("/services/{service_id}/waiting-list/{entry_id}/start", summary="The person has started: off the list")
async def start_entry(service_id: ServiceId, entry_id: EntryId, caller: SignedIn, uow: UnitOfWorkDep) -> WaitingList:
    acting = caller.acting()
    async with _managing(caller, uow, service_id):
        await waiting.start(uow, entry_id, acting, at=acting.now, service_id=service_id)
        return await _moved(uow, service_id, caller.runtime)


@router.post("/services/{service_id}/waiting-list/{entry_id}/remove", summary="The person leaves without starting")
async def remove_entry(
    service_id: ServiceId, entry_id: EntryId, body: Removal, caller: SignedIn, uow: UnitOfWorkDep
) -> WaitingList:
    acting = caller.acting()
    async with _managing(caller, uow, service_id):
        await waiting.leave(uow, entry_id, acting, reason=body.reason, at=acting.now, service_id=service_id)
        return await _moved(uow, service_id, caller.runtime)


@router.get("/waiting-list/{entry_id}", summary="Where an activity referral stands on its service's waiting list")
async def get_position(entry_id: EntryId, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> Position:
    # Link workers follow their people's referrals; providers see only their own services' entries.
    require_role(principal, Role.LINK_WORKER, Role.PROVIDER, Role.CURATOR)
    found = await waiting.position(uow, entry_id)
    if found is None:
        raise Problem(404, "Not found", f"entry_id: no waiting-list entry {entry_id}")
    service_id, place, status = found
    if principal.role is Role.PROVIDER:
        await _owned(uow, service_id, principal)
    return Position(entry_id=entry_id, service_id=service_id, status=status, position=place)
