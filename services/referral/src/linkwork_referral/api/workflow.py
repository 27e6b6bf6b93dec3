"""The link worker's workflow actions, each a state transition (409 names the states that allow it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from fastapi import APIRouter
from linkwork_contracts.codes import ContactKind
from linkwork_contracts.measures import Timepoint
from linkwork_runtime.auth import CurrentPrincipal, Principal, Role
from linkwork_runtime.problems import Problem

from linkwork_referral.api import schemas
from linkwork_referral.api.dependencies import ACTION_PROBLEMS, Service
from linkwork_referral.api.views import ReferralView
from linkwork_referral.domain import access
from linkwork_referral.domain.actions import Action
from linkwork_referral.domain.records import (
    Assessment,
    Attendance,
    Contact,
    PlanActivity,
    ScheduledFollowUp,
    SharingConsent,
)
from linkwork_referral.domain.referral import Referral
from linkwork_referral.service_layer.ports import ReferralSession
from linkwork_referral.service_layer.suggestions import chosen_ranks

router = APIRouter(prefix="/referrals", tags=["workflow"])
_Route = TypeVar("_Route", bound=Callable[..., Any])


def _action(path: str, operation_id: str) -> Callable[[_Route], _Route]:
    """Route one workflow action: each answers with the referral as it now stands, or a problem (409 names the
    states that allow it)."""
    return router.post(
        f"/{{referral_id}}/{path}", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id=operation_id
    )


async def _allocate(
    referral_id: UUID,
    named: str | None,
    principal: Principal,
    service: Service,
    action: Action,
    move: Callable[[Referral, str, datetime], None],
    verb: str,
) -> ReferralView:
    """Accept and reassign alike: a pcn_admin must name the link worker; anyone else defaults to themselves."""
    if named is None and principal.role is Role.PCN_ADMIN:
        raise Problem(422, "Invalid request", f"link_worker: a pcn_admin {verb} to a named link worker")
    link_worker = named or principal.subject

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        move(referral, link_worker, now)

    return ReferralView.of(
        await service.act(
            principal, referral_id, action, change, check=lambda _: access.check_assign(principal, link_worker)
        )
    )


@_action("accept", "accept")
async def accept(
    referral_id: UUID, body: schemas.Accept, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Triage: accept the referral and allocate it to a link worker (default: the caller)."""
    return await _allocate(
        referral_id, body.link_worker, principal, service, Action.ACCEPT, Referral.accept, "allocates"
    )


@_action("reassign", "reassign")
async def reassign(
    referral_id: UUID, body: schemas.Reassign, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Move a referral being worked to another link worker: a pcn_admin names them; a link worker takes it over."""
    return await _allocate(
        referral_id, body.link_worker, principal, service, Action.REASSIGN, Referral.reassign, "reassigns"
    )


@_action("reject", "reject")
async def reject(
    referral_id: UUID, body: schemas.Reject, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        referral.reject(body.reason, principal.subject, now)

    return ReferralView.of(await service.act(principal, referral_id, Action.REJECT, change))


@router.put(
    "/{referral_id}/person", response_model=ReferralView, responses=ACTION_PROBLEMS, operation_id="update_person"
)
async def update_person(
    referral_id: UUID, body: schemas.PersonIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Replace the person's details (the NHS number cannot change). A change to what matching uses (date of
    birth, sex, ethnic category, postcode, languages, interpreter, accessibility) re-publishes referral-created
    with the next version, so matching suggests again."""

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        referral.update_person(body.to_person(), now)

    return ReferralView.of(await service.act(principal, referral_id, Action.UPDATE_PERSON, change))


@_action("hold", "hold")
async def hold(referral_id: UUID, body: schemas.Hold, principal: CurrentPrincipal, service: Service) -> ReferralView:
    """Put the referral on hold with a reason; no follow-up falls due until it is resumed."""

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        referral.put_on_hold(body.reason, principal.subject, now)

    return ReferralView.of(await service.act(principal, referral_id, Action.HOLD, change))


@_action("resume", "resume")
async def resume(referral_id: UUID, principal: CurrentPrincipal, service: Service) -> ReferralView:
    """Take the referral off hold, back to the stage it was at."""

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        referral.resume(now)

    return ReferralView.of(await service.act(principal, referral_id, Action.RESUME, change))


@_action("entered-in-error", "mark_entered_in_error")
async def mark_entered_in_error(
    referral_id: UUID, body: schemas.EnteredInError, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """The referral should never have been recorded: it is closed as entered-in-error and outcomes leaves it
    out of every figure (referral-closed with that status)."""

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        referral.mark_entered_in_error(body.reason, principal.subject, now)

    return ReferralView.of(await service.act(principal, referral_id, Action.ENTER_IN_ERROR, change))


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


@_action("contacts", "log_contact")
async def log_contact(
    referral_id: UUID, body: schemas.ContactIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Log a contact or attempt; the first contact made fixes the time to first contact."""

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        referral.log_contact(_contact(body, principal), now)

    return ReferralView.of(await service.act(principal, referral_id, Action.LOG_CONTACT, change))


@_action("assessment", "record_assessment")
async def record_assessment(
    referral_id: UUID, body: schemas.AssessmentIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """The "what matters to me" conversation with a baseline outcome measure."""

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
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


@_action("plan", "agree_plan")
async def agree_plan(
    referral_id: UUID, body: schemas.PlanIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Agree the personalised plan: goals, activities (from the suggestions or by directory id), and
    the follow-up schedule. Replaces any earlier plan."""

    async def change(referral: Referral, now: datetime, session: ReferralSession) -> None:
        ranks, version = await chosen_ranks(
            await session.suggestions(), referral.id, [(a.service_id, a.need) for a in body.activities]
        )
        referral.agree_plan(
            goals=body.goals,
            needs_addressed=body.needs_addressed,
            activities=[
                PlanActivity(
                    a.service_id,
                    a.need,
                    ranks.get(a.service_id),
                    a.starts_on,
                    a.name,
                    SharingConsent(a.share.first_name, a.share.contact, a.share.needs, a.share.accessibility_needs),
                )
                for a in body.activities
            ],
            follow_ups=[ScheduledFollowUp(uuid4(), 0, f.kind, f.due_on) for f in body.follow_ups],
            referral_version=version,
            by=principal.subject,
            now=now,
        )

    return ReferralView.of(await service.act(principal, referral_id, Action.AGREE_PLAN, change))


@_action("follow-ups", "record_follow_up")
async def record_follow_up(
    referral_id: UUID, body: schemas.FollowUpIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    """Record a follow-up: attendance per planned activity, any repeat measure, notes."""

    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
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


@_action("close", "close")
async def close(
    referral_id: UUID, body: schemas.CloseIn, principal: CurrentPrincipal, service: Service
) -> ReferralView:
    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        referral.close(
            body.reason,
            by=principal.subject,
            now=now,
            notes=body.notes,
            final_measures=[m.result(now, Timepoint.CLOSURE) for m in body.final_measures],
        )

    return ReferralView.of(await service.act(principal, referral_id, Action.CLOSE, change))
