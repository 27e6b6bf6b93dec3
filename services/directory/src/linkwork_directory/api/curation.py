"""Curation (curator role): create, update, withdraw and verify services; the review queue."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response
from linkwork_runtime.auth import CurrentPrincipal, Role, require_role
from linkwork_runtime.context import Pool
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, Field

from linkwork_directory.adapters import oruk_render as render
from linkwork_directory.adapters.service_reader import Loaded
from linkwork_directory.api.runtime import Runtime
from linkwork_directory.application import curation
from linkwork_directory.application.freshness import review_queue
from linkwork_directory.application.imports import service_from_document
from linkwork_directory.domain.errors import RecordRejected, UnknownService
from linkwork_directory.domain.freshness import needs_review
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.domain.search import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, page_body

router = APIRouter(tags=["curation"])
ServiceBody = Annotated[dict[str, Any], Body(description="An ORUK v3 service, fully nested, with `social_prescribing`")]


class Withdrawal(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why it is no longer offered")


def _document(loaded: Loaded, runtime: Runtime) -> dict[str, Any]:
    due = needs_review(loaded.state.last_verified_at, runtime.clock.now(), runtime.settings.review_period_months)
    return render.service_full(loaded.service, loaded.state, needs_review=due)


def _invalid(rejection: RecordRejected) -> Problem:
    return Problem(422, "Invalid service", "; ".join(rejection.reasons), errors=rejection.reasons)


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError as error:
        raise Problem(404, "Not found", f"no service with id {value}") from error


async def _save(document: dict[str, Any], pool: Pool, runtime: Runtime, *, must_be_new: bool) -> tuple[Outcome, Loaded]:
    try:
        service = service_from_document(runtime.schemas, document)
        async with pool.acquire() as conn:
            if must_be_new and await conn.fetchval("SELECT 1 FROM service WHERE id = $1", service.id):
                raise Problem(409, "Already exists", f"service {service.id} exists: use PUT /services/{service.id}")
            applied, loaded = await curation.save(conn, service, now=runtime.clock.now(), sink=runtime.sink)
    except RecordRejected as rejection:
        raise _invalid(rejection) from rejection
    await runtime.after_change()
    return applied.outcome, loaded


@router.post("/services", status_code=201, summary="Create a service")
async def create_service(
    body: ServiceBody, pool: Pool, runtime: Runtime, principal: CurrentPrincipal
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    _, loaded = await _save(body, pool, runtime, must_be_new=True)
    return _document(loaded, runtime)


@router.put("/services/{id}", summary="Create or replace a service (collections left out are kept)")
async def put_service(
    id: str, body: ServiceBody, pool: Pool, runtime: Runtime, principal: CurrentPrincipal, response: Response
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    service_id = _uuid(id)
    if str(body.setdefault("id", str(service_id))) != str(service_id):
        raise Problem(422, "Invalid service", f"the body's id {body['id']} is not the path's {service_id}")
    outcome, loaded = await _save(body, pool, runtime, must_be_new=False)
    response.status_code = 201 if outcome is Outcome.CREATED else 200
    return _document(loaded, runtime)


@router.post("/services/{id}/withdraw", summary="Withdraw a service: it is no longer offered")
async def withdraw_service(
    id: str, body: Withdrawal, pool: Pool, runtime: Runtime, principal: CurrentPrincipal
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    try:
        async with pool.acquire() as conn:
            loaded = await curation.withdraw(
                conn, _uuid(id), reason=body.reason, now=runtime.clock.now(), sink=runtime.sink
            )
    except UnknownService as error:
        raise Problem(404, "Not found", str(error)) from error
    await runtime.after_change()
    return _document(loaded, runtime)


@router.post("/services/{id}/verify", summary="Confirm a service's details are correct: restarts its review clock")
async def verify_service(id: str, pool: Pool, runtime: Runtime, principal: CurrentPrincipal) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    try:
        async with pool.acquire() as conn:
            loaded = await curation.verify(
                conn, _uuid(id), by=principal.subject, now=runtime.clock.now(), sink=runtime.sink
            )
    except UnknownService as error:
        raise Problem(404, "Not found", str(error)) from error
    await runtime.after_change()
    return _document(loaded, runtime)


@router.get("/review-queue", summary="Services due for review, least recently verified first")
async def get_review_queue(
    pool: Pool,
    runtime: Runtime,
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = DEFAULT_PER_PAGE,
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR, Role.PCN_ADMIN)
    async with pool.acquire() as conn:
        due, total = await review_queue(
            conn,
            now=runtime.clock.now(),
            months=runtime.settings.review_period_months,
            limit=per_page,
            offset=(page - 1) * per_page,
        )
    contents: list[dict[str, object]] = [
        render.jsonable(
            {
                "id": d.service_id,
                "name": d.name,
                "organization": d.organization,
                "last_verified": d.last_verified_at,
                "verified_by": d.verified_by,
            }
        )
        for d in due
    ]
    return page_body(contents, total=total, page=page, per_page=per_page)
