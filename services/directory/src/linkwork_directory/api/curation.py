"""Curation (curator role): create, update, withdraw and verify services; the review queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Query, Response
from linkwork_runtime.auth import Role
from linkwork_runtime.context import Pool
from linkwork_runtime.openapi import example
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, Field

from linkwork_directory.adapters import curation_store
from linkwork_directory.adapters import oruk_render as render
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.adapters.review_store import PostgresReviewStore
from linkwork_directory.api import examples
from linkwork_directory.api.ids import not_found, path_id
from linkwork_directory.api.oruk_models import OrukService
from linkwork_directory.api.runtime import Caller, Runtime, SignedIn, UnitOfWorkDep
from linkwork_directory.domain import versions
from linkwork_directory.domain.errors import RecordRejected, StaleVersion, UnknownService, VersionRequired
from linkwork_directory.domain.freshness import needs_review
from linkwork_directory.domain.importing import Outcome
from linkwork_directory.domain.search import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, page_body
from linkwork_directory.domain.versions import merge_patch
from linkwork_directory.service_layer import curation
from linkwork_directory.service_layer.freshness import review_queue
from linkwork_directory.service_layer.imports import service_from_document
from linkwork_directory.service_layer.ports import Loaded, UnitOfWork

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
# The paging of linkwork's own curator lists (history, review queue, duplicates), within ORUK's limits.
ListPage = Annotated[int, Query(ge=1, le=MAX_PAGE)]
ListPerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]


class Withdrawal(BaseModel):
    model_config = example({"reason": "The group stopped meeting in March"})

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


@contextmanager
def service_problems(rejected: Callable[[RecordRejected], Problem] = _invalid) -> Iterator[None]:
    """The curation errors as problem details, told alike by every route that changes a service; `rejected`
    says what a refused record means to the route (an invalid service unless it says otherwise)."""
    try:
        yield
    except UnknownService as error:
        raise Problem(404, "Not found", str(error)) from error
    except StaleVersion as error:
        raise stale_problem(error) from error
    except VersionRequired as error:
        raise _version_required(error) from error
    except RecordRejected as rejection:
        raise rejected(rejection) from rejection


def tagged(loaded: Loaded, runtime: Runtime, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = curation.etag(loaded)
    return _document(loaded, runtime)


async def changed(loaded: Loaded, runtime: Runtime, response: Response) -> dict[str, Any]:
    """The answer to a change: the stale-services gauge refreshed, then the service as it now is, with its ETag."""
    await runtime.after_change()
    return tagged(loaded, runtime, response)


def _same_id(body: dict[str, Any], service_id: UUID, what: str) -> None:
    if "id" in body and str(body["id"]) != str(service_id):
        raise _id_mismatch(f"the {what}'s id is not the path's")


def _current_document(loaded: Loaded) -> tuple[dict[str, Any], str]:
    """The stored service as a curator sends it back (the base a merge patch applies to), and its ETag."""
    # Empty fields left out, as the API writes them: ORUK's schemas allow no nulls.
    document: dict[str, Any] = render.jsonable(loaded.service.model_dump(exclude={"last_modified"}))
    document["social_prescribing"] = loaded.state.settings.model_dump(mode="json", exclude_none=True)
    return document, curation.etag(loaded)


async def _save(
    document: dict[str, Any], caller: Caller, uow: UnitOfWork, *, must_be_new: bool, if_match: str | None = None
) -> tuple[Outcome, Loaded]:
    with service_problems():
        service = service_from_document(OrukFormat(caller.runtime.schemas), document)
        if must_be_new and await uow.services.exists(service.id):
            raise Problem(409, "Already exists", f"service {service.id} exists: use PUT /services/{service.id}")
        applied, loaded = await curation.save(
            uow, service, caller.acting(), if_match=if_match, require_version=not must_be_new
        )
    return applied.outcome, loaded


@router.post("/services", status_code=201, summary="Create a service", response_model=OrukService)
async def create_service(body: ServiceBody, caller: SignedIn, uow: UnitOfWorkDep, response: Response) -> dict[str, Any]:
    caller.require(Role.CURATOR)
    _, loaded = await _save(body, caller, uow, must_be_new=True)
    return await changed(loaded, caller.runtime, response)


@router.put(
    "/services/{id}", summary="Create or replace a service (collections left out are kept)", response_model=OrukService
)
async def put_service(
    id: str, body: ServiceBody, caller: SignedIn, uow: UnitOfWorkDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    caller.require(Role.CURATOR)
    service_id = path_id("service", id)
    _same_id(body, service_id, "body")
    body.setdefault("id", str(service_id))
    outcome, loaded = await _save(body, caller, uow, must_be_new=False, if_match=if_match)
    response.status_code = 201 if outcome is Outcome.CREATED else 200
    return await changed(loaded, caller.runtime, response)


@router.patch(
    "/services/{id}",
    summary="Change some fields of a service (JSON merge patch; If-Match required)",
    response_model=OrukService,
)
async def patch_service(
    id: str, body: PatchBody, caller: SignedIn, uow: UnitOfWorkDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    caller.require(Role.CURATOR)
    service_id = path_id("service", id)
    _same_id(body, service_id, "patch")
    with service_problems():
        if if_match is None:
            raise VersionRequired(service_id)
        base, base_tag = _current_document(await curation.load(uow, service_id, caller.runtime.clock.now()))
        if not versions.if_match_allows(if_match, base_tag):
            raise StaleVersion(service_id)
    # The patch applies to the version read here, so the write must find that same version when it locks the
    # service (even for If-Match: *): a change landing in between is refused rather than patched over.
    _, loaded = await _save(merge_patch(base, body), caller, uow, must_be_new=False, if_match=base_tag)
    return await changed(loaded, caller.runtime, response)


@router.post(
    "/services/{id}/withdraw", summary="Withdraw a service: it is no longer offered", response_model=OrukService
)
async def withdraw_service(
    id: str, body: Withdrawal, caller: SignedIn, uow: UnitOfWorkDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    caller.require(Role.CURATOR)
    with service_problems():
        loaded = await curation.withdraw(
            uow, path_id("service", id), caller.acting(), reason=body.reason, if_match=if_match
        )
    return await changed(loaded, caller.runtime, response)


@router.post(
    "/services/{id}/verify",
    summary="Confirm a service's details are correct: restarts its review clock",
    response_model=OrukService,
)
async def verify_service(
    id: str, caller: SignedIn, uow: UnitOfWorkDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    caller.require(Role.CURATOR)
    with service_problems():
        loaded = await curation.verify(uow, path_id("service", id), caller.acting(), if_match=if_match)
    return await changed(loaded, caller.runtime, response)


@router.get("/services/{id}/history", summary="Who changed the service, what and when (newest first)")
async def get_history(
    id: str, caller: SignedIn, pool: Pool, page: ListPage = 1, per_page: ListPerPage = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    caller.require(Role.CURATOR)
    service_id = path_id("service", id)
    async with pool.acquire() as conn:
        if not await curation_store.exists(conn, service_id):
            raise not_found("service", service_id)
        entries, total = await curation_store.history(conn, service_id, limit=per_page, offset=(page - 1) * per_page)
    contents: list[dict[str, object]] = [render.jsonable(curation_store.jsonable_entry(e)) for e in entries]
    return page_body(contents, total=total, page=page, per_page=per_page)


@router.get("/review-queue", summary="Services due for review, least recently verified first")
async def get_review_queue(
    caller: SignedIn, pool: Pool, page: ListPage = 1, per_page: ListPerPage = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    caller.require(Role.CURATOR, Role.PCN_ADMIN)
    async with pool.acquire() as conn:
        due, total = await review_queue(
            PostgresReviewStore(conn),
            now=caller.runtime.clock.now(),
            months=caller.runtime.settings.review_period_months,
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
