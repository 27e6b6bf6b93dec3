"""Curation (curator role): create, update, withdraw and verify services; the review queue."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Query, Response
from linkwork_runtime.auth import CurrentPrincipal, Role, require_role
from linkwork_runtime.context import Pool
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, ConfigDict, Field

from linkwork_directory.adapters import curation_store
from linkwork_directory.adapters import oruk_render as render
from linkwork_directory.adapters.review_store import PostgresReviewStore
from linkwork_directory.adapters.service_reader import Loaded
from linkwork_directory.api import examples
from linkwork_directory.api.runtime import Runtime
from linkwork_directory.domain import versions
from linkwork_directory.domain.errors import RecordRejected, StaleVersion, UnknownService, VersionRequired
from linkwork_directory.domain.freshness import needs_review
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.domain.search import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, page_body
from linkwork_directory.domain.versions import merge_patch
from linkwork_directory.service_layer import curation
from linkwork_directory.service_layer.freshness import review_queue
from linkwork_directory.service_layer.imports import service_from_document

router = APIRouter(tags=["curation"])
ServiceBody = Annotated[
    dict[str, Any],
    Body(
        description="An ORUK v3 service, fully nested, with `social_prescribing`",
        openapi_examples=examples.SERVICE_BODY,
    ),
]
PatchBody = Annotated[
    dict[str, Any],
    Body(
        description="A JSON merge patch (RFC 7396) of the service: fields given replace the stored ones, null "
        "removes one, lists are replaced whole",
        media_type="application/merge-patch+json",
        openapi_examples=examples.PATCH_BODY,
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        description="The ETag of the version this change was made to (from GET /services/{id}). Required to change "
        "an existing service with PUT or PATCH (428 without it); a stale one is refused with 412.",
        max_length=400,
    ),
]


class Withdrawal(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "The group stopped meeting in March"}]})

    reason: str = Field(min_length=1, max_length=500, description="Why it is no longer offered")


def _document(loaded: Loaded, runtime: Runtime) -> dict[str, Any]:
    due = needs_review(loaded.state.last_verified_at, runtime.clock.now(), runtime.settings.review_period_months)
    return render.service_full(loaded.service, loaded.state, needs_review=due)


def _invalid(rejection: RecordRejected) -> Problem:
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in rejection.errors)
    return Problem(422, "Invalid service", detail, errors=rejection.errors)


def _id_mismatch(message: str) -> Problem:
    return Problem(
        422, "Invalid service", f"id: {message}", errors=[{"field": "id", "rule": "matches_path", "message": message}]
    )


def stale_problem(error: StaleVersion) -> Problem:
    return Problem(
        412,
        "Changed since you read it",
        f"{error}: nothing was saved. Read the service again (GET /services/{error.service_id}), "
        "apply your change to it and send it with the new ETag in If-Match.",
        errors=[{"field": "If-Match", "rule": "current-version", "message": "is not the service's current ETag"}],
    )


def _version_required(error: VersionRequired) -> Problem:
    return Problem(
        428,
        "Version required",
        f"{error}: send the ETag from GET /services/{error.service_id} in If-Match, so that a change made "
        "meanwhile by someone else is not overwritten",
        errors=[{"field": "If-Match", "rule": "required", "message": "is required to change an existing service"}],
    )


def tagged(loaded: Loaded, runtime: Runtime, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = curation.etag(loaded)
    return _document(loaded, runtime)


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError as error:
        raise Problem(404, "Not found", f"no service with id {value}") from error


async def _save(
    document: dict[str, Any],
    pool: Pool,
    runtime: Runtime,
    *,
    actor: str,
    actor_name: str | None = None,
    must_be_new: bool,
    if_match: str | None = None,
) -> tuple[Outcome, Loaded]:
    try:
        service = service_from_document(runtime.schemas, document)
        async with pool.acquire() as conn:
            if must_be_new and await curation_store.exists(conn, service.id):
                raise Problem(409, "Already exists", f"service {service.id} exists: use PUT /services/{service.id}")
            applied, loaded = await curation.save(
                conn,
                service,
                now=runtime.clock.now(),
                sink=runtime.sink,
                actor=actor,
                actor_name=actor_name,
                if_match=if_match,
                require_version=not must_be_new,
            )
    except RecordRejected as rejection:
        raise _invalid(rejection) from rejection
    except StaleVersion as error:
        raise stale_problem(error) from error
    except VersionRequired as error:
        raise _version_required(error) from error
    await runtime.after_change()
    return applied.outcome, loaded


@router.post("/services", status_code=201, summary="Create a service")
async def create_service(
    body: ServiceBody, pool: Pool, runtime: Runtime, principal: CurrentPrincipal, response: Response
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    _, loaded = await _save(body, pool, runtime, actor=principal.subject, actor_name=principal.name, must_be_new=True)
    return tagged(loaded, runtime, response)


@router.put("/services/{id}", summary="Create or replace a service (collections left out are kept)")
async def put_service(
    id: str,
    body: ServiceBody,
    pool: Pool,
    runtime: Runtime,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    service_id = _uuid(id)
    if str(body.setdefault("id", str(service_id))) != str(service_id):
        raise _id_mismatch("the body's id is not the path's")
    outcome, loaded = await _save(
        body, pool, runtime, actor=principal.subject, actor_name=principal.name, must_be_new=False, if_match=if_match
    )
    response.status_code = 201 if outcome is Outcome.CREATED else 200
    return tagged(loaded, runtime, response)


@router.patch("/services/{id}", summary="Change some fields of a service (JSON merge patch; If-Match required)")
async def patch_service(
    id: str,
    body: PatchBody,
    pool: Pool,
    runtime: Runtime,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    service_id = _uuid(id)
    if "id" in body and str(body["id"]) != str(service_id):
        raise _id_mismatch("the patch's id is not the path's")
    if if_match is None:
        raise _version_required(VersionRequired(service_id))
    try:
        async with pool.acquire() as conn:
            base, base_tag = await curation.current_document(conn, service_id, runtime.clock.now())
    except UnknownService as error:
        raise Problem(404, "Not found", str(error)) from error
    if not versions.if_match_allows(if_match, base_tag):
        raise stale_problem(StaleVersion(service_id))
    # The patch applies to the version read here, so the write must find that same version when it locks the
    # service (even for If-Match: *): a change landing in between is refused rather than patched over.
    _, loaded = await _save(
        merge_patch(base, body),
        pool,
        runtime,
        actor=principal.subject,
        actor_name=principal.name,
        must_be_new=False,
        if_match=base_tag,
    )
    return tagged(loaded, runtime, response)


@router.post("/services/{id}/withdraw", summary="Withdraw a service: it is no longer offered")
async def withdraw_service(
    id: str,
    body: Withdrawal,
    pool: Pool,
    runtime: Runtime,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    try:
        async with pool.acquire() as conn:
            loaded = await curation.withdraw(
                conn,
                _uuid(id),
                reason=body.reason,
                now=runtime.clock.now(),
                sink=runtime.sink,
                actor=principal.subject,
                actor_name=principal.name,
                if_match=if_match,
            )
    except UnknownService as error:
        raise Problem(404, "Not found", str(error)) from error
    except StaleVersion as error:
        raise stale_problem(error) from error
    await runtime.after_change()
    return tagged(loaded, runtime, response)


@router.post("/services/{id}/verify", summary="Confirm a service's details are correct: restarts its review clock")
async def verify_service(
    id: str, pool: Pool, runtime: Runtime, principal: CurrentPrincipal, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    try:
        async with pool.acquire() as conn:
            loaded = await curation.verify(
                conn,
                _uuid(id),
                by=principal.subject,
                by_name=principal.name,
                now=runtime.clock.now(),
                sink=runtime.sink,
                if_match=if_match,
            )
    except UnknownService as error:
        raise Problem(404, "Not found", str(error)) from error
    except StaleVersion as error:
        raise stale_problem(error) from error
    await runtime.after_change()
    return tagged(loaded, runtime, response)


@router.get("/services/{id}/history", summary="Who changed the service, what and when (newest first)")
async def get_history(
    id: str,
    pool: Pool,
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = DEFAULT_PER_PAGE,
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    service_id = _uuid(id)
    async with pool.acquire() as conn:
        if not await curation_store.exists(conn, service_id):
            raise Problem(404, "Not found", f"no service with id {service_id}")
        entries, total = await curation_store.history(conn, service_id, limit=per_page, offset=(page - 1) * per_page)
    contents: list[dict[str, object]] = [render.jsonable(curation_store.jsonable_entry(e)) for e in entries]
    return page_body(contents, total=total, page=page, per_page=per_page)


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
            PostgresReviewStore(conn),
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
