"""The PCN manager's team: workload per link worker, and moving a leaver's whole caseload (pcn_admin only)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from linkwork_runtime.auth import CurrentPrincipal
from linkwork_runtime.openapi import example
from pydantic import BaseModel, Field

from linkwork_referral.api.dependencies import ACTION_PROBLEMS, PROBLEMS, Service

router = APIRouter(prefix="/workload", tags=["team"])

StaffId = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f]+$")]


class LinkWorkerLoad(BaseModel):
    link_worker: str = Field(description="the link worker's staff id (their token subject)")
    open: int = Field(description="open referrals: allocated and being worked, or on hold")
    awaiting_first_contact: int = Field(description="open referrals with no contact made yet")
    overdue_follow_ups: int = Field(description="planned follow-ups past their time and not yet recorded")
    median_days_to_first_contact: float | None = Field(
        description="median days from referral to first contact, over their referrals that had one"
    )


class CaseloadMove(BaseModel):
    model_config = example({"from_link_worker": "lw-0042", "to_link_worker": "lw-0043"}, extra="forbid")

    from_link_worker: StaffId = Field(description="whose open referrals move (e.g. someone leaving)")
    to_link_worker: StaffId = Field(description="who takes them over")


class NotMoved(BaseModel):
    referral_id: UUID
    reason: str


class CaseloadMoved(BaseModel):
    moved: list[UUID]
    not_moved: list[NotMoved] = Field(description="referrals that could not move now (e.g. on hold), and why")


@router.get("", response_model=list[LinkWorkerLoad], responses=PROBLEMS, operation_id="workload")
async def workload(principal: CurrentPrincipal, service: Service) -> list[LinkWorkerLoad]:
    """Your PCN's link workers with their open caseload, time to first contact and overdue follow-ups."""
    return [LinkWorkerLoad(**vars(row)) for row in await service.workload(principal)]


@router.post("/reassign", response_model=CaseloadMoved, responses=ACTION_PROBLEMS, operation_id="reassign_caseload")
async def reassign_caseload(body: CaseloadMove, principal: CurrentPrincipal, service: Service) -> CaseloadMoved:
    """Move every open referral of one link worker to another; each move is audited like a single reassignment."""
    moved, kept = await service.reassign_caseload(principal, body.from_link_worker, body.to_link_worker)
    return CaseloadMoved(moved=moved, not_moved=[NotMoved(referral_id=i, reason=why) for i, why in kept])
