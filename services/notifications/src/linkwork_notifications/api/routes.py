"""HTTP API: the link worker's task list, opt-outs, and Notify's delivery receipts."""

from __future__ import annotations

import hmac
from datetime import date, datetime
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import APIRouter, Header, Request, Response
from linkwork_runtime.auth import CurrentPrincipal, Role, require_role
from linkwork_runtime.context import Pool
from linkwork_runtime.openapi import example
from linkwork_runtime.principal import Principal
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, Field

from linkwork_notifications.adapters import store
from linkwork_notifications.domain.messages import Channel, Status
from linkwork_notifications.domain.tasks import TaskKind
from linkwork_notifications.settings import Settings

router = APIRouter()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.context.settings
    return settings


class Task(BaseModel):
    kind: TaskKind
    referral_id: UUID
    due_on: date
    link_worker_id: str | None
    detail: str | None
    href: str = Field(description="The referral in the console")


class TaskList(BaseModel):
    tasks: list[Task]


@router.get("/tasks", response_model=TaskList, tags=["tasks"])
async def tasks(
    request: Request, principal: CurrentPrincipal, pool: Pool, mine: bool = False, on: date | None = None
) -> TaskList:
    """Follow-ups due today (and earlier, still open), overdue first contacts, messages that could not be
    delivered: for the caller's PCN, each linking to the referral. `mine=true`: the caller's own and
    unassigned ones. `on`: the list as it stands on another day (planning ahead); default today."""
    require_role(principal, Role.LINK_WORKER, Role.PCN_ADMIN)
    settings = _settings(request)
    today = on or datetime.now(ZoneInfo(settings.timezone)).date()
    found = await store.open_tasks(
        pool,
        principal.pcn,
        today,
        principal.subject if mine else None,
        settings.first_contact_overdue_days,
        settings.timezone,
    )
    return TaskList(
        tasks=[
            Task(
                kind=task.kind,
                referral_id=task.referral_id,
                due_on=task.due_on,
                link_worker_id=task.link_worker_id,
                detail=task.detail,
                href=f"/referrals/{task.referral_id}",
            )
            for task in found
        ]
    )


async def _set_opt_out(
    referral_id: UUID, channel: Channel, principal: Principal, pool: asyncpg.Pool, *, opted_out: bool
) -> Response:
    require_role(principal, Role.LINK_WORKER, Role.PCN_ADMIN)
    person_ref = await store.person_ref_in_pcn(pool, referral_id, principal.pcn)
    if person_ref is None:
        raise Problem(404, "Not Found", "referral_id: no referral with this id in your PCN")
    await store.set_opt_out(pool, person_ref, channel, opted_out=opted_out)
    return Response(status_code=204)


@router.put("/referrals/{referral_id}/opt-outs/{channel}", status_code=204, tags=["opt-outs"])
async def opt_out(referral_id: UUID, channel: Channel, principal: CurrentPrincipal, pool: Pool) -> Response:
    """Record that the person does not want messages by `channel` (covers all their referrals)."""
    return await _set_opt_out(referral_id, channel, principal, pool, opted_out=True)


@router.delete("/referrals/{referral_id}/opt-outs/{channel}", status_code=204, tags=["opt-outs"])
async def opt_in(referral_id: UUID, channel: Channel, principal: CurrentPrincipal, pool: Pool) -> Response:
    return await _set_opt_out(referral_id, channel, principal, pool, opted_out=False)


class Receipt(BaseModel):
    """The fields of Notify's delivery receipt callback that this service reads (others are ignored)."""

    model_config = example(
        {
            "id": "740e5834-3a29-46b4-9a6f-16142fde0f3b",
            "reference": "0f3c9a52-5b7e-4c1e-8a9d-6b2f4e1d7c33",
            "status": "delivered",
            "notification_type": "sms",
        },
        extra="ignore",
    )

    id: str = Field(max_length=100)
    reference: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=40)
    notification_type: str | None = Field(default=None, max_length=20)


@router.post("/notify/receipts", status_code=204, tags=["callbacks"])
async def receipt(
    body: Receipt, request: Request, pool: Pool, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """GOV.UK Notify's delivery receipt, authenticated by the bearer token set up with Notify."""
    expected = f"Bearer {_settings(request).notify_callback_token.get_secret_value()}"
    if authorization is None or not hmac.compare_digest(authorization.encode(), expected.encode()):
        raise Problem(401, "Unauthorized", "Authorization: the callback bearer token is missing or wrong")
    today = datetime.now(ZoneInfo(_settings(request).timezone)).date()
    applied = await store.apply_receipt(pool, body.id, body.status, today)
    if applied is not None:  # None: not ours, already forgotten, or nothing to change
        channel, status = applied
        outcome = "delivered" if status is Status.DELIVERED else "failed"
        request.app.state.notifications.metrics.count(channel.value if channel else None, outcome)
    return Response(status_code=204)
