"""A narrow internal endpoint for the notifications service: how to reach one person, and nothing else.

Only this service holds identifiable data (docs/decisions/19-notifications.md). The notifications service
asks here just before it sends, with its own credential (`LINKWORK_CONTACT_ROUTE_TOKEN`, not a person's
token), and gets the preferred channel, the channels consented to and the one address that channel needs.
Every fetch, allowed or refused, is in the audit log as subject `notifications`. A closed referral has no
route: nobody is messaged about an episode that has ended.

Consent: a person's preferred contact method is recorded with their consent to the referral, and that is
the only automated channel we treat as consented. "telephone" means the link worker calls: no message.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request
from linkwork_contracts.codes import ReferralStatus
from linkwork_contracts.codes.referral import TERMINAL_STATUSES, LinkWorkerStage, stage_status
from linkwork_runtime.context import Pool
from linkwork_runtime.problems import Problem
from pydantic import BaseModel

from linkwork_referral.adapters import audit, contact_store
from linkwork_referral.domain.audit import AuditRecord

router = APIRouter(prefix="/internal/contact-routes", tags=["internal"], include_in_schema=False)

SUBJECT, ROLE = "notifications", "service"
_CHANNELS = {"text-message": "sms", "email": "email", "letter": "letter"}


class ContactRoute(BaseModel):
    accepted: bool  # false while the referral waits for triage: the first-contact message waits too
    preferred_channel: str | None
    consented_channels: list[str]
    phone: str | None = None
    email: str | None = None


def _status(state: str) -> ReferralStatus:
    # The state column holds a status, or one of linkwork's finer stages between acceptance and closure.
    if state in LinkWorkerStage.__members__.values():
        return stage_status(LinkWorkerStage(state))
    return ReferralStatus(state)


def _authorised(request: Request, authorization: str | None) -> bool:
    token = request.app.state.context.settings.contact_route_token
    if token is None or authorization is None:
        return False
    return hmac.compare_digest(authorization.encode(), f"Bearer {token.get_secret_value()}".encode())


@router.get("/{referral_id}", response_model=ContactRoute, response_model_exclude_none=True)
async def contact_route(
    referral_id: UUID, request: Request, pool: Pool, authorization: Annotated[str | None, Header()] = None
) -> ContactRoute:
    """The contact route of one referral's person, for the notifications service only."""
    allowed = _authorised(request, authorization)
    async with pool.acquire() as connection, connection.transaction():
        row = await contact_store.on_file(connection, referral_id)
        pcn = row.pcn if row is not None else ""
        outcome = "allowed" if allowed else "denied"
        entry = AuditRecord("read-contact-route", outcome=outcome, referral_id=referral_id, referral_pcn=pcn or None)
        await audit.record_as(connection, SUBJECT if allowed else "unknown", ROLE, pcn, entry)
    if not allowed:
        raise Problem(401, "Unauthorized", "Authorization: this endpoint needs the notifications service's token")
    status = None if row is None else _status(row.state)
    if row is None or status is None or status in TERMINAL_STATUSES:
        raise Problem(404, "Not Found", "referral_id: no open referral with this id")
    person = row.person
    channel = _CHANNELS.get(person.get("preferred_contact") or "")
    accepted = status not in (ReferralStatus.DRAFT, ReferralStatus.REQUESTED)
    route = ContactRoute(accepted=accepted, preferred_channel=channel, consented_channels=[channel] if channel else [])
    if channel == "sms":
        route.phone = person.get("phone")
    elif channel == "email":
        route.email = person.get("email")
    return route
