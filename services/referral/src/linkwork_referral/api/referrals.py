"""Making, listing and reading referrals, their timeline and suggestions."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Header, Query, Request, Response
from linkwork_contracts.codes import Urgency
from linkwork_contracts.identifiers import PcnCode, StaffId
from linkwork_runtime.auth import CurrentPrincipal, Principal
from linkwork_runtime.problems import Problem

from linkwork_referral.adapters.repository import Cursor
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.api import schemas
from linkwork_referral.api.dependencies import PROBLEMS, Service
from linkwork_referral.api.views import (
    CaseloadItem,
    CaseloadPage,
    DuplicateCheckResult,
    PossibleDuplicate,
    ReferralView,
    TimelineEntry,
)
from linkwork_referral.domain.caseload import CaseloadFilter, CaseloadSort
from linkwork_referral.domain.referral import NewReferral, Referrer
from linkwork_referral.domain.states import WorkflowState
from linkwork_referral.service_layer.ports import IdempotencyKey
from linkwork_referral.service_layer.routing import pcn_for_referral

router = APIRouter(prefix="/referrals", tags=["referrals"])

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Retrying with the same key returns the first referral instead of making another",
    ),
]


def _new_referral(body: schemas.CreateReferral, principal: Principal, now: datetime, pcn: str) -> NewReferral:
    person = body.person
    return NewReferral(
        id=uuid4(),
        pcn=pcn,
        person=person.to_person(),
        needs=tuple(body.needs),
        source=body.source,
        referrer=Referrer(body.referrer_organisation, subject=principal.subject),
        urgency=body.urgency,
        created_at=now,
        consent_to_refer=body.consent_to_refer,
        consent_recorded_at=body.consent_recorded_at or now,
        reason=body.reason,
        practice_ods_code=body.practice_ods_code,
        safeguarding_concern=body.safeguarding_concern,
    )


# OpenAPI links tell clients (and schemathesis's stateful phase) where a new referral's id goes.

_FOLLOW_ON = {
    name: {"operationId": operation, "parameters": {"referral_id": "$response.body#/id"}}
    for name, operation in (
        ("Read", "read_referral"),
        ("Accept", "accept"),
        ("Reject", "reject"),
        ("LogContact", "log_contact"),
        ("RecordAssessment", "record_assessment"),
        ("AgreePlan", "agree_plan"),
        ("RecordFollowUp", "record_follow_up"),
        ("Close", "close"),
        ("Suggestions", "suggestions"),
        ("Timeline", "referral_timeline"),
    )
}
CREATED: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    201: {"description": "The referral (or, for a retried Idempotency-Key, the first one)", "links": _FOLLOW_ON},
}
EXAMPLE = {
    "referral": {
        "summary": "A GP refers a lonely older person",
        "value": referral_body(synthetic_nhs_number(random.Random(7))),
    }
}


@router.post("", status_code=201, response_model=ReferralView, responses=CREATED, operation_id="create_referral")
async def create_referral(
    body: Annotated[schemas.CreateReferral, Body(openapi_examples=EXAMPLE)],
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReferralView:
    """A referrer (or a link worker taking a self-referral) makes a referral: into the PCN of the person's
    practice, or for PCN staff into their own PCN."""
    key = None
    if idempotency_key is not None:
        key = IdempotencyKey(idempotency_key, hashlib.sha256(body.model_dump_json().encode()).hexdigest())
    # Routed by the person's practice; the token's PCN only for PCN staff (service_layer/routing.py).
    # (Inside the build, which runs after the role check: a role that may not refer hears 403, not 422.)
    practices = request.app.state.practices

    def build(now: datetime) -> NewReferral:
        return _new_referral(body, principal, now, pcn_for_referral(practices, principal, body.practice_ods_code))

    referral, replayed = await service.create(principal, build, key)
    response.headers["Location"] = f"/referrals/{referral.id}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ReferralView.of(referral)


def _search(q: str | None) -> dict[str, Any]:
    """What a search box's text is: an NHS number, a date of birth, or part of a name."""
    if q is None:
        return {}
    text = q.strip()
    digits = text.replace(" ", "")
    if len(digits) == 10 and digits.isdigit():
        return {"nhs_number": digits}
    try:
        return {"date_of_birth": date.fromisoformat(text)}
    except ValueError:
        return {"name": text}


@router.get("", response_model=CaseloadPage, responses=PROBLEMS, operation_id="caseload")
async def caseload(
    principal: CurrentPrincipal,
    service: Service,
    status: Annotated[
        list[WorkflowState] | None, Query(max_length=len(WorkflowState), description="Workflow states to include")
    ] = None,
    link_worker: Annotated[StaffId | None, Query()] = None,
    pcn: Annotated[PcnCode | None, Query(description="Only your own PCN is allowed")] = None,
    overdue: Annotated[
        bool | None,
        Query(description="Only referrals with a follow-up due and not recorded (false: only those without)"),
    ] = None,
    urgency: Annotated[Urgency | None, Query()] = None,
    safeguarding: Annotated[bool | None, Query(description="Only referrals with (true) or without a concern")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=100,
            description="Search your scope: an NHS number (10 digits), a date of birth (YYYY-MM-DD) or part of a name",
        ),
    ] = None,
    sort: Annotated[
        CaseloadSort,
        Query(
            description="newest: most recently referred first; waiting: waiting longest first; urgency: urgent "
            "first, then waiting longest; next-follow-up: soonest or most overdue follow-up first, none planned last"
        ),
    ] = CaseloadSort.NEWEST,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page, with the same sort")
    ] = None,
) -> CaseloadPage:
    try:
        after = Cursor.decode(cursor, sort) if cursor is not None else None
    except ValueError as error:
        raise Problem(422, "Invalid request", str(error)) from error
    where = CaseloadFilter(
        tuple(status or ()),
        link_worker,
        overdue,
        urgency.value if urgency else None,
        safeguarding,
        **_search(q),
    )
    page = await service.caseload(principal, pcn, where, limit=limit, cursor=after, sort=sort)
    items = [
        CaseloadItem(
            id=r.id,
            state=r.state,
            given_name=r.person.given_name,
            family_name=r.person.family_name,
            needs=list(r.needs),
            urgency=r.urgency,
            safeguarding_concern=r.safeguarding_concern,
            link_worker=r.link_worker,
            created_at=r.created_at,
            next_follow_up_due=page.follow_ups_due.get(r.id),
        )
        for r in page.referrals
    ]
    return CaseloadPage(items=items, next_cursor=page.next_cursor)


@router.post("/duplicates", response_model=DuplicateCheckResult, responses=PROBLEMS, operation_id="possible_duplicates")
async def possible_duplicates(
    body: schemas.DuplicateCheck, principal: CurrentPrincipal, service: Service
) -> DuplicateCheckResult:
    """Open referrals, in your own scope, that may be for the same person: the same NHS number or, without one,
    the same date of birth with the same family name or postcode. A POST so no identifier sits in a URL."""
    found = await service.possible_duplicates(
        principal, body.nhs_number, body.family_name, body.date_of_birth, body.postcode
    )
    return DuplicateCheckResult(
        matches=[
            PossibleDuplicate(
                id=r.id,
                state=r.state,
                given_name=r.person.given_name,
                family_name=r.person.family_name,
                created_at=r.created_at,
                match=how,
            )
            for r, how in found
        ]
    )


@router.get("/{referral_id}", response_model=ReferralView, responses=PROBLEMS, operation_id="read_referral")
async def read_referral(referral_id: UUID, principal: CurrentPrincipal, service: Service) -> ReferralView:
    return ReferralView.of(await service.read(principal, referral_id))


@router.get("/{referral_id}/suggestions", responses=PROBLEMS, operation_id="suggestions")
async def suggestions(referral_id: UUID, principal: CurrentPrincipal, service: Service) -> dict[str, object]:
    """The latest matches-suggested event's data for this referral."""
    found = await service.suggestions(principal, referral_id)
    if found is None:
        raise Problem(404, "Not found", f"no suggestions have arrived for referral {referral_id} yet")
    return found


@router.get(
    "/{referral_id}/timeline", response_model=list[TimelineEntry], responses=PROBLEMS, operation_id="referral_timeline"
)
async def referral_timeline(referral_id: UUID, principal: CurrentPrincipal, service: Service) -> list[TimelineEntry]:
    return [TimelineEntry(**dict(row)) for row in await service.timeline(principal, referral_id)]
