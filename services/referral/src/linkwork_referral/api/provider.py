"""The provider API (issue 17): a provider's own activity referrals, and its answers.

Role `provider`; the token's `org` claim is the ORUK organization id the person works for. Only that
organisation's activity referrals are listed or found (another's is a 404, like one that does not exist).
The person's details shown are exactly those they agreed to share with this provider.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from linkwork_contracts.codes import (
    ActivityReferralDecision,
    DeclineReason,
    NeedCategory,
    SessionAttendance,
)
from linkwork_contracts.events import SharedDetails
from linkwork_runtime.auth import CurrentPrincipal
from linkwork_runtime.context import ServiceContext, get_context
from linkwork_runtime.openapi import example
from pydantic import BaseModel, Field

from linkwork_referral.api.dependencies import ACTION_PROBLEMS, PROBLEMS
from linkwork_referral.api.schemas import Strict
from linkwork_referral.domain.activity_referral import ActivityReferralState
from linkwork_referral.service_layer.activity_referrals import ProviderDesk
from linkwork_referral.service_layer.ports import Row

router = APIRouter(prefix="/provider/activity-referrals", tags=["provider"])
_Route = TypeVar("_Route", bound=Callable[..., Any])


async def get_desk(request: Request) -> ProviderDesk:
    factory: Callable[[ServiceContext], ProviderDesk] = request.app.state.provider_desk
    return factory(get_context(request))


Desk = Annotated[ProviderDesk, Depends(get_desk)]


class Session(BaseModel):
    session_on: date
    attendance: SessionAttendance
    recorded_at: datetime


class ActivityReferralView(BaseModel):
    """One activity referral as its provider sees it."""

    id: UUID
    service_id: UUID
    service_name: str
    organization_id: UUID
    need: NeedCategory
    state: ActivityReferralState
    referred_at: datetime
    respond_by: datetime
    responded_at: datetime | None
    decline_reason: DeclineReason | None
    starts_on: date | None
    sessions_attended: int
    completed_at: datetime | None
    shared: SharedDetails = Field(description="Only what the person agreed to share with this provider")
    sessions: list[Session] = []

    @classmethod
    def of(cls, row: Row, sessions: list[Row] | None = None) -> ActivityReferralView:
        fields = {name: row[name] for name in cls.model_fields if name not in ("shared", "sessions")}
        return cls(
            **fields,
            shared=SharedDetails.model_validate(row["shared"]),
            sessions=[Session(**{name: s[name] for name in Session.model_fields}) for s in sessions or []],
        )


class ActivityReferralList(BaseModel):
    activity_referrals: list[ActivityReferralView]


class AcceptIn(Strict):
    model_config = example({"starts_on": "2026-12-15"})

    starts_on: date | None = Field(default=None, description="When the person starts, if already agreed")


class DeclineIn(Strict):
    model_config = example({"reason": "no-capacity"})

    reason: DeclineReason = Field(description="Any reason but no-response (which only the deadline gives)")


class StartDateIn(Strict):
    model_config = example({"starts_on": "2026-12-15"})

    starts_on: date


class AttendanceIn(Strict):
    model_config = example({"session_on": "2026-12-15", "attendance": "attended"})

    session_on: date
    attendance: SessionAttendance


@router.get("", response_model=ActivityReferralList, responses=PROBLEMS, operation_id="provider_list")
async def incoming(
    principal: CurrentPrincipal, desk: Desk, state: Annotated[ActivityReferralState | None, Query()] = None
) -> ActivityReferralList:
    """The caller's organisation's activity referrals, newest first (optionally in one state)."""
    rows = await desk.incoming(principal, state)
    return ActivityReferralList(activity_referrals=[ActivityReferralView.of(r) for r in rows])


@router.get(
    "/{activity_referral_id}", response_model=ActivityReferralView, responses=PROBLEMS, operation_id="provider_get"
)
async def one(activity_referral_id: UUID, principal: CurrentPrincipal, desk: Desk) -> ActivityReferralView:
    row, sessions = await desk.one(principal, activity_referral_id)
    return ActivityReferralView.of(row, sessions)


async def _view(desk: ProviderDesk, principal: CurrentPrincipal, activity_referral_id: UUID) -> ActivityReferralView:
    row, sessions = await desk.one(principal, activity_referral_id)
    return ActivityReferralView.of(row, sessions)


def _step(path: str, operation_id: str) -> Callable[[_Route], _Route]:
    """Route one provider step: each answers with the activity referral as it now stands, or a problem."""
    return router.post(
        f"/{{activity_referral_id}}/{path}",
        response_model=ActivityReferralView,
        responses=ACTION_PROBLEMS,
        operation_id=operation_id,
    )


@_step("accept", "provider_accept")
async def accept(
    activity_referral_id: UUID, body: AcceptIn, principal: CurrentPrincipal, desk: Desk
) -> ActivityReferralView:
    await desk.respond(principal, activity_referral_id, ActivityReferralDecision.ACCEPTED, None, body.starts_on)
    return await _view(desk, principal, activity_referral_id)


@_step("decline", "provider_decline")
async def decline(
    activity_referral_id: UUID, body: DeclineIn, principal: CurrentPrincipal, desk: Desk
) -> ActivityReferralView:
    await desk.respond(principal, activity_referral_id, ActivityReferralDecision.DECLINED, body.reason, None)
    return await _view(desk, principal, activity_referral_id)


@_step("start-date", "provider_set_start_date")
async def start_date(
    activity_referral_id: UUID, body: StartDateIn, principal: CurrentPrincipal, desk: Desk
) -> ActivityReferralView:
    await desk.set_start_date(principal, activity_referral_id, body.starts_on)
    return await _view(desk, principal, activity_referral_id)


@_step("attendance", "provider_confirm_attendance")
async def attendance(
    activity_referral_id: UUID, body: AttendanceIn, principal: CurrentPrincipal, desk: Desk
) -> ActivityReferralView:
    """Confirm one session: attended, did not attend, or cancelled (again for the same date corrects it)."""
    await desk.confirm_attendance(principal, activity_referral_id, body.session_on, body.attendance)
    return await _view(desk, principal, activity_referral_id)


@_step("complete", "provider_complete")
async def complete(activity_referral_id: UUID, principal: CurrentPrincipal, desk: Desk) -> ActivityReferralView:
    await desk.complete(principal, activity_referral_id)
    return await _view(desk, principal, activity_referral_id)
