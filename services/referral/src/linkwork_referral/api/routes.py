"""HTTP routes: referrals, the workflow actions, caseload, timeline, suggestions and the audit log."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from linkwork_contracts.codes import ContactKind
from linkwork_contracts.identifiers import PcnCode, StaffId
from linkwork_contracts.measures import Timepoint
from linkwork_runtime.auth import CurrentPrincipal, Principal
from linkwork_runtime.context import ServiceContext, get_context
from linkwork_runtime.problems import Problem

from linkwork_referral.adapters.repository import CaseloadFilter, decode_cursor
from linkwork_referral.api import schemas
from linkwork_referral.api.views import (
    AuditEntry,
    CaseloadItem,
    CaseloadPage,
    ReferralView,
    TimelineEntry,
)
from linkwork_referral.domain import access
from linkwork_referral.domain.actions import Action
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.records import (
    Assessment,
    Attendance,
    Contact,
    PlanActivity,
    ScheduledFollowUp,
)
from linkwork_referral.domain.referral import NewReferral, Referral, Referrer
from linkwork_referral.domain.states import WorkflowState
from linkwork_referral.samples import referral_body, synthetic_nhs_number
from linkwork_referral.service_layer.referrals import IdempotencyKey, ReferralService
from linkwork_referral.service_layer.suggestions import chosen_ranks

router = APIRouter(prefix="/referrals", tags=["referrals"])
audit_router = APIRouter(prefix="/audit", tags=["audit"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/problem+json": {}}}
    for status, text in {
        401: "Missing, expired or invalid bearer token",
        403: "The role or PCN may not do this",
        404: "No such referral",
        413: "Body too large",
        422: "Invalid input",
    }.items()
}
ACTION_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    409: {
        "description": "The referral's state does not allow this action; the body names the states that do",
        "content": {"application/problem+json": {}},
    },
}


def get_service(request: Request) -> ReferralService:
    factory: Callable[[ServiceContext], ReferralService] = request.app.state.referral_service
    return factory(get_context(request))


Service = Annotated[ReferralService, Depends(get_service)]
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


def _new_referral(body: schemas.CreateReferral, principal: Principal, now: datetime) -> NewReferral:
    person = body.person
    return NewReferral(
        id=uuid4(),
        pcn=principal.pcn,
        person=Person(
            given_name=person.given_name,
            family_name=person.family_name,
            nhs_number=person.nhs_number,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            ethnic_category=person.ethnic_category,
            address_lines=person.address_lines,
            postcode=person.postcode,
            phone=person.phone,
            email=person.email,
            preferred_contact=person.preferred_contact,
            languages=person.languages,
            interpreter_needed=person.interpreter_needed,
            accessibility_needs=person.accessibility_needs,
        ),
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
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReferralView:
    """A referrer (or a link worker taking a self-referral) makes a referral into their PCN."""
    key = None
    if idempotency_key is not None:
        key = IdempotencyKey(idempotency_key, hashlib.sha256(body.model_dump_json().encode()).hexdigest())
    referral, replayed = await service.create(principal, lambda now: _new_referral(body, principal, now), key)
    response.headers["Location"] = f"/referrals/{referral.id}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ReferralView.of(referral)


@router.get("", response_model=CaseloadPage, responses=PROBLEMS, operation_id="caseload")
async def caseload(
    principal: CurrentPrincipal,
    service: Service,
    status: Annotated[list[WorkflowState] | None, Query(description="Workflow states to include")] = None,
    link_worker: Annotated[StaffId | None, Query()] = None,
    pcn: Annotated[PcnCode | None, Query(description="Only your own PCN is allowed")] = None,
    overdue: Annotated[
        bool | None,
        Query(description="Only referrals with a follow-up due and not recorded (false: only those without)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> CaseloadPage:
    try:
        after = decode_cursor(cursor) if cursor is not None else None
    except ValueError as error:
        raise Problem(422, "Invalid request", str(error)) from error
    page = await service.caseload(
        principal, pcn, CaseloadFilter(tuple(status or ()), link_worker, overdue), limit=limit, cursor=after
    )
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


@router.get("/{referral_id}", response_model=ReferralView, responses=PROBLEMS, operation_id="read_referral")
async def read_referral(referral_id: UUID, principal: CurrentPrincipal, service: Service) -> ReferralView:
    return ReferralView.of(await service.read(principal, referral_id))


@router.post("/{referral_id}/accept", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id="accept")
async def accept(
    referral_id: UUID, body: schemas.Accept, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Triage: accept the referral and allocate it to a link worker (default: the caller)."""
    link_worker = body.link_worker or principal.subject

    async def change(referral: Referral, now: datetime, _: asyncpg.Connection) -> None:
        referral.accept(link_worker, now)

    return ReferralView.of(
        await service.act(
            principal, referral_id, Action.ACCEPT, change, check=lambda _: access.check_assign(principal, link_worker)
        )
    )


@router.post("/{referral_id}/reject", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id="reject")
async def reject(
    referral_id: UUID, body: schemas.Reject, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    async def change(referral: Referral, now: datetime, _: asyncpg.Connection) -> None:
        referral.reject(body.reason, principal.subject, now)

    return ReferralView.of(await service.act(principal, referral_id, Action.REJECT, change))


def _contact(body: schemas.ContactIn, principal: Principal) -> Contact:
    return Contact(
        id=uuid4(),
        kind=body.kind,
        mode=body.mode,
        occurred_at=body.occurred_at,
        outcome=body.outcome,
        recorded_by=principal.subject,
        duration_minutes=body.duration_minutes,
        notes=body.notes,
    )


@router.post(
    "/{referral_id}/contacts", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id="log_contact"
)
async def log_contact(
    referral_id: UUID, body: schemas.ContactIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Log a contact or attempt; the first contact made fixes the time to first contact."""

    async def change(referral: Referral, now: datetime, _: asyncpg.Connection) -> None:
        referral.log_contact(_contact(body, principal), now)

    return ReferralView.of(await service.act(principal, referral_id, Action.LOG_CONTACT, change))


@router.post(
    "/{referral_id}/assessment",
    response_model=ReferralView,
    responses=ACTION_PROBLEMS,
    operation_id="record_assessment",
)
async def record_assessment(
    referral_id: UUID, body: schemas.AssessmentIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """The "what matters to me" conversation with a baseline outcome measure."""

    async def change(referral: Referral, now: datetime, _: asyncpg.Connection) -> None:
        referral.record_assessment(
            Assessment(
                needs=tuple(body.needs),
                baseline_measures=tuple(m.result(now, Timepoint.BASELINE) for m in body.baseline_measures),
                recorded_at=now,
                recorded_by=principal.subject,
                strengths=tuple(body.strengths),
                barriers=tuple(body.barriers),
                what_matters=body.what_matters,
                preferences=body.preferences(),
            ),
            now,
        )

    return ReferralView.of(await service.act(principal, referral_id, Action.RECORD_ASSESSMENT, change))


@router.post("/{referral_id}/plan", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id="agree_plan")
async def agree_plan(
    referral_id: UUID, body: schemas.PlanIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Agree the personalised plan: goals, activities (from the suggestions or by directory id), and
    the follow-up schedule. Replaces any earlier plan."""

    async def change(referral: Referral, now: datetime, connection: asyncpg.Connection) -> None:
        ranks, version = await chosen_ranks(connection, referral.id, [(a.service_id, a.need) for a in body.activities])
        referral.agree_plan(
            goals=body.goals,
            needs_addressed=body.needs_addressed,
            activities=[
                PlanActivity(a.service_id, a.need, ranks.get(a.service_id), a.starts_on, a.name)
                for a in body.activities
            ],
            follow_ups=[ScheduledFollowUp(uuid4(), 0, f.kind, f.due_on) for f in body.follow_ups],
            referral_version=version,
            by=principal.subject,
            now=now,
        )

    return ReferralView.of(await service.act(principal, referral_id, Action.AGREE_PLAN, change))


@router.post(
    "/{referral_id}/follow-ups", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id="record_follow_up"
)
async def record_follow_up(
    referral_id: UUID, body: schemas.FollowUpIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Record a follow-up: attendance per planned activity, any repeat measure, notes."""

    async def change(referral: Referral, now: datetime, _: asyncpg.Connection) -> None:
        contact = _contact(body, principal)
        referral.record_follow_up(
            Contact(
                id=contact.id,
                kind=body.kind or ContactKind.FOLLOW_UP,
                mode=contact.mode,
                occurred_at=contact.occurred_at,
                outcome=contact.outcome,
                recorded_by=contact.recorded_by,
                duration_minutes=contact.duration_minutes,
                notes=contact.notes,
                follow_up_id=body.follow_up_id,
                attendance=tuple(
                    Attendance(a.service_id, a.status, a.confirmed_by, a.sessions_attended) for a in body.attendance
                ),
                measures=tuple(m.result(now, Timepoint.FOLLOW_UP) for m in body.measures),
            ),
            now,
        )

    return ReferralView.of(await service.act(principal, referral_id, Action.RECORD_FOLLOW_UP, change))


@router.post("/{referral_id}/close", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id="close")
async def close(
    referral_id: UUID, body: schemas.CloseIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    async def change(referral: Referral, now: datetime, _: asyncpg.Connection) -> None:
        referral.close(
            body.reason,
            by=principal.subject,
            now=now,
            notes=body.notes,
            final_measures=[m.result(now, Timepoint.CLOSURE) for m in body.final_measures],
        )

    return ReferralView.of(await service.act(principal, referral_id, Action.CLOSE, change))


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


@audit_router.get("", response_model=list[AuditEntry], responses=PROBLEMS, operation_id="audit_log")
async def audit_log(
    principal: CurrentPrincipal,
    service: Service,
    referral_id: Annotated[UUID | None, Query()] = None,
    subject: Annotated[str | None, Query(max_length=64)] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntry]:
    """Who read or changed your PCN's referrals (pcn_admin only), newest first."""
    rows = await service.audit_log(
        principal, referral_id=referral_id, subject=subject, before_id=before_id, limit=limit
    )
    return [AuditEntry(**dict(row)) for row in rows]
