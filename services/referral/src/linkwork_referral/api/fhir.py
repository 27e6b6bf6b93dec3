"""FHIR R4 at /fhir: CapabilityStatement, ServiceRequest create/read, Task read/search. Errors: OperationOutcome.

Every route runs inside `FhirRoute`, which turns any failure (a missing token, a refused role, an unknown id,
a broken rule) into an OperationOutcome with `application/fhir+json`, never the problem details the rest of
the service answers with, because a FHIR client reads nothing else.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from linkwork_runtime.auth import CurrentPrincipal
from linkwork_runtime.problems import Problem

from linkwork_referral.adapters import fhir
from linkwork_referral.adapters.reference_tables import PracticeDirectory
from linkwork_referral.api.dependencies import Service
from linkwork_referral.domain.access import Denied
from linkwork_referral.domain.errors import DomainError, IllegalTransition
from linkwork_referral.service_layer.errors import IdempotencyKeyReused, NotFound, Unroutable
from linkwork_referral.service_layer.ports import IdempotencyKey
from linkwork_referral.service_layer.requests import new_referral_from_request, referral_id_for
from linkwork_referral.service_layer.routing import pcn_for_referral

log = logging.getLogger(__name__)


Issues = Sequence[tuple[str, str | None]]


def _outcome(status: int, code: str, issues: Issues, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(fhir.operation_outcome(code, issues))
    return Response(body, status_code=status, media_type=fhir.FHIR_JSON, headers=headers)


def _as_outcome(error: Exception) -> Response:
    if isinstance(error, fhir.FhirError):
        return _outcome(error.status, error.code, error.issues)
    if isinstance(error, Problem):
        code = {401: "login", 403: "forbidden", 413: "too-long"}.get(error.status, "processing")
        return _outcome(error.status, code, [(error.detail, None)], error.headers)
    if isinstance(error, HTTPException):
        return _outcome(error.status_code, "processing", [(str(error.detail), None)])
    if isinstance(error, RequestValidationError):
        issues: Issues = [(f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}", None) for e in error.errors()[:20]]
        return _outcome(400, "invalid", issues)
    if isinstance(error, Unroutable):
        return _outcome(422, "business-rule", [(str(error), "Patient.generalPractitioner")])
    if isinstance(error, NotFound):
        return _outcome(404, "not-found", [(str(error), None)])
    if isinstance(error, Denied):
        return _outcome(403, "forbidden", [(str(error), None)])
    if isinstance(error, IdempotencyKeyReused):
        return _outcome(
            409, "duplicate", [("identifier was already used for a different ServiceRequest", "identifier")]
        )
    if isinstance(error, DomainError | IllegalTransition):
        return _outcome(422, "business-rule", [(str(error), None)])
    log.exception("FHIR request failed")
    return _outcome(500, "exception", [("internal error; the request was not applied", None)])


def body_too_large(limit: int, path: str) -> Response:
    """The 413 for /fhir (runtime BodySizeLimit), which refuses before any route runs."""
    return _outcome(413, "too-long", [(f"request bodies are limited to {limit} bytes", None)])


class FhirRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except Exception as error:
                return _as_outcome(error)

        return handler


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_BASED_ON = rf"^(ServiceRequest/)?{_UUID}$"

router = APIRouter(prefix="/fhir", tags=["fhir"], route_class=FhirRoute)


def _resource(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=fhir.FHIR_JSON, headers=headers)


@router.get("/metadata", operation_id="fhir_capabilities")
async def capabilities(service: Service) -> Response:
    """The CapabilityStatement: what this FHIR endpoint does."""
    return _resource(fhir.capability_statement(service.clock()))


@router.post("/ServiceRequest", status_code=201, operation_id="fhir_create_service_request")
async def create_service_request(request: Request, principal: CurrentPrincipal, service: Service) -> Response:
    """A social prescribing referral as a FHIR ServiceRequest (Patient contained, or a transaction Bundle).

    `identifier` is the idempotency key: sending it again answers 200 with the same Location."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in (fhir.FHIR_JSON, "application/json"):
        raise fhir.FhirError(415, "not-supported", [(f"send {fhir.FHIR_JSON}", None)])
    raw = await request.body()
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise fhir.FhirError(400, "structure", [("the body is not JSON", None)]) from None
    parsed = fhir.parse_service_request(body, service.clock())
    event = parsed.request
    practices: PracticeDirectory = request.app.state.practices
    # Request ids are unique per sending system (issue 15): a FHIR client is known by its token's subject.
    referral_id = referral_id_for(event.request_id, f"urn:linkwork:fhir-client:{principal.subject}")
    # The identifier is the idempotency key, kept per client; hash what was asked for, not the bytes, so that a
    # resent Bundle with new urn:uuid fullUrls is the same request.
    key = IdempotencyKey(f"fhir:{event.request_id}", hashlib.sha256(event.model_dump_json().encode()).hexdigest())
    referral, replayed = await service.create(
        principal,
        # Routed after the role check (inside create): by the practice, the token's PCN only for PCN staff.
        lambda now: new_referral_from_request(
            event, referral_id, pcn_for_referral(practices, principal, event.practice_ods_code), now, principal.subject
        ),
        key,
    )
    location = f"{request.url_for('fhir_read_service_request', referral_id=str(referral.id)).path}"
    headers = {"Location": location, "Content-Location": f"/fhir/Task/{referral.id}"}
    return _resource(fhir.service_request_for(referral), 200 if replayed else 201, headers)


@router.get("/ServiceRequest/{referral_id}", operation_id="fhir_read_service_request", name="fhir_read_service_request")
async def read_service_request(referral_id: UUID, principal: CurrentPrincipal, service: Service) -> Response:
    referral = await service.read(principal, referral_id, "fhir-read-service-request")
    return _resource(fhir.service_request_for(referral))


@router.get("/Task/{task_id}", operation_id="fhir_read_task")
async def read_task(task_id: UUID, request: Request, principal: CurrentPrincipal, service: Service) -> Response:
    """The referral's Gravity Task: status, businessStatus (link worker step), statusReason."""
    referral = await service.read(principal, task_id, "fhir-read-task")
    return _resource(fhir.task_for(referral, str(request.base_url).rstrip("/") + "/fhir"))


@router.get("/Task", operation_id="fhir_search_task")
async def search_tasks(
    request: Request,
    principal: CurrentPrincipal,
    service: Service,
    based_on: Annotated[str, Query(alias="based-on", pattern=_BASED_ON)],
) -> Response:
    """Task?based-on=ServiceRequest/{id}: the one Task of a referral, or an empty searchset."""
    referral_id = UUID(based_on.rsplit("/", 1)[-1])
    try:
        referral = await service.read(principal, referral_id, "fhir-search-task")
    except NotFound:
        return _resource(fhir.searchset([]))
    return _resource(fhir.searchset([fhir.task_for(referral, str(request.base_url).rstrip("/") + "/fhir")]))
