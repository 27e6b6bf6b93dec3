"""HTTP API: the link worker's task list, opt-outs, and Notify's delivery receipts."""

from __future__ import annotations

import hmac
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Request, Response
from linkwork_runtime.auth import CurrentPrincipal, Role, require_role
from linkwork_runtime.context import Pool
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, ConfigDict, Field

from linkwork_notifications.domain.messages import Channel
from linkwork_notifications.service_layer.dispatcher import raise_undeliverable_task
from linkwork_notifications.settings import Settings

router = APIRouter()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.context.settings
    return settings


class Task(BaseModel):
    kind: Literal["follow-up-due", "first-contact-overdue", "undeliverable", "provider-no-response"]
    referral_id: UUID
    due_on: date
    link_worker_id: str | None
    detail: str | None
    href: str = Field(description="The referral in the console")


class TaskList(BaseModel):
    tasks: list[Task]


_TASKS = """
SELECT kind, referral_id, due_on, link_worker_id, detail FROM tasks
WHERE pcn_code = $1 AND done_at IS NULL AND (kind = 'undeliverable' OR due_on <= $2)
  AND ($3::text IS NULL OR link_worker_id = $3 OR link_worker_id IS NULL)
UNION ALL
SELECT 'first-contact-overdue', referral_id, (created_at AT TIME ZONE $5)::date + $4::int, NULL, NULL FROM referrals
WHERE pcn_code = $1 AND first_contact_at IS NULL AND created_at < now() - make_interval(days => $4::int)
ORDER BY 3, 1, 2
LIMIT 500
"""


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
    rows = await pool.fetch(
        _TASKS,
        principal.pcn,
        today,
        principal.subject if mine else None,
        settings.first_contact_overdue_days,
        settings.timezone,
    )
    return TaskList(
        tasks=[
            Task(
                kind=row["kind"],
                referral_id=row["referral_id"],
                due_on=row["due_on"],
                link_worker_id=row["link_worker_id"],
                detail=row["detail"],
                href=f"/referrals/{row['referral_id']}",
            )
            for row in rows
        ]
    )


async def _person_ref(pool: Pool, referral_id: UUID, pcn: str) -> str:
    person_ref = await pool.fetchval(
        "SELECT person_ref FROM referrals WHERE referral_id = $1 AND pcn_code = $2", referral_id, pcn
    )
    if person_ref is None:
        raise Problem(404, "Not Found", "referral_id: no referral with this id in your PCN")
    return str(person_ref)


@router.put("/referrals/{referral_id}/opt-outs/{channel}", status_code=204, tags=["opt-outs"])
async def opt_out(referral_id: UUID, channel: Channel, principal: CurrentPrincipal, pool: Pool) -> Response:
    """Record that the person does not want messages by `channel` (covers all their referrals)."""
    require_role(principal, Role.LINK_WORKER, Role.PCN_ADMIN)
    person_ref = await _person_ref(pool, referral_id, principal.pcn)
    await pool.execute(
        "INSERT INTO opt_outs (person_ref, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING", person_ref, channel.value
    )
    return Response(status_code=204)


@router.delete("/referrals/{referral_id}/opt-outs/{channel}", status_code=204, tags=["opt-outs"])
async def opt_in(referral_id: UUID, channel: Channel, principal: CurrentPrincipal, pool: Pool) -> Response:
    require_role(principal, Role.LINK_WORKER, Role.PCN_ADMIN)
    person_ref = await _person_ref(pool, referral_id, principal.pcn)
    await pool.execute("DELETE FROM opt_outs WHERE person_ref = $1 AND channel = $2", person_ref, channel.value)
    return Response(status_code=204)


class Receipt(BaseModel):
    """The fields of Notify's delivery receipt callback that this service reads (others are ignored)."""

    model_config = ConfigDict(extra="ignore")

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
    state = request.app.state.notifications
    async with pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(
            "SELECT id, referral_id, pcn_code, link_worker_id, channel, status FROM messages "
            "WHERE provider_id = $1 FOR UPDATE",
            body.id,
        )
        if row is None:
            return Response(status_code=204)  # not ours, or already forgotten: nothing to update
        if body.status == "delivered" and row["status"] != "delivered":
            await connection.execute(
                "UPDATE messages SET status = 'delivered', updated_at = now() WHERE id = $1", row["id"]
            )
            state.metrics.count(row["channel"], "delivered")
        elif body.status in ("permanent-failure", "temporary-failure", "technical-failure") and row["status"] in (
            "sent",
            "delivered",
        ):
            await connection.execute(
                "UPDATE messages SET status = 'undeliverable', failure = $2, updated_at = now() WHERE id = $1",
                row["id"],
                body.status,
            )
            channel = Channel(row["channel"]) if row["channel"] else None
            today = datetime.now(ZoneInfo(_settings(request).timezone)).date()
            await raise_undeliverable_task(connection, row, channel, body.status, today)
            state.metrics.count(row["channel"], "failed")
    return Response(status_code=204)
