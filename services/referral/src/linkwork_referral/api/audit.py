"""The audit log, for PCN admins."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from linkwork_runtime.auth import CurrentPrincipal

from linkwork_referral.api.dependencies import PROBLEMS, Service
from linkwork_referral.api.views import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditEntry], responses=PROBLEMS, operation_id="audit_log")
async def audit_log(
    principal: CurrentPrincipal,
    service: Service,
    referral_id: Annotated[UUID | None, Query()] = None,
    subject: Annotated[str | None, Query(pattern=r"^[^\x00-\x1f]{1,256}$")] = None,
    cursor: Annotated[
        int | None,
        Query(ge=1, le=2**62, description="The `id` of the last entry of the previous page: the entries before it"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntry]:
    """Who read or changed your PCN's referrals (pcn_admin only), newest first."""
    rows = await service.audit_log(principal, referral_id=referral_id, subject=subject, before_id=cursor, limit=limit)
    return [AuditEntry(**dict(row)) for row in rows]
