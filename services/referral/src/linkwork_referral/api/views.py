"""Response bodies of the HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from linkwork_contracts.codes import (
    ClosureReason,
    ContactMethod,
    EthnicCategory,
    LinkWorkerStage,
    NeedCategory,
    ReferralSource,
    ReferralStatus,
    Sex,
    Urgency,
)
from pydantic import BaseModel

from linkwork_referral.adapters.documents import to_document
from linkwork_referral.domain.actions import Action, allowed_states
from linkwork_referral.domain.records import ScheduledFollowUp
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.states import WorkflowState


class PersonView(BaseModel):
    given_name: str
    family_name: str
    nhs_number: str | None
    date_of_birth: date
    sex: Sex
    ethnic_category: EthnicCategory
    address_lines: list[str]
    postcode: str | None
    phone: str | None
    email: str | None
    preferred_contact: ContactMethod | None
    languages: list[str]
    interpreter_needed: bool
    accessibility_needs: list[str]


class ReferralView(BaseModel):
    id: UUID
    state: WorkflowState
    status: ReferralStatus
    stage: LinkWorkerStage | None
    version: int
    pcn: str
    person: PersonView
    needs: list[NeedCategory]
    reason: str | None
    source: ReferralSource
    referrer: dict[str, Any]
    practice_ods_code: str | None
    urgency: Urgency
    safeguarding_concern: bool
    request_id: str | None
    created_at: datetime
    updated_at: datetime | None
    consent_recorded_at: datetime
    link_worker: str | None
    accepted_at: datetime | None
    first_contact_at: datetime | None
    contacts_made: int
    preferences: dict[str, Any]
    contacts: list[dict[str, Any]]
    assessment: dict[str, Any] | None
    plan: dict[str, Any] | None
    closure: dict[str, Any] | None
    hold: dict[str, Any] | None = None
    pending_follow_ups: list[dict[str, Any]]
    allowed_actions: list[str]

    @classmethod
    def of(cls, referral: Referral) -> ReferralView:
        document = to_document(referral)
        state = referral.state
        actions = [
            a.name.lower().replace("_", "-") for a in Action if a is not Action.CLOSE and state in allowed_states(a)
        ]
        if any(state in allowed_states(Action.CLOSE, reason) for reason in ClosureReason):
            actions.append("close")
        return cls(
            **document,
            state=state,
            contacts_made=referral.contacts_made,
            pending_follow_ups=[to_document_follow_up(f) for f in referral.pending_follow_ups()],
            allowed_actions=actions,
        )


def to_document_follow_up(follow_up: ScheduledFollowUp) -> dict[str, Any]:
    return {
        "id": str(follow_up.id),
        "sequence": follow_up.sequence,
        "kind": follow_up.kind.value,
        "due_on": follow_up.due_on.isoformat(),
    }


class CaseloadItem(BaseModel):
    id: UUID
    state: WorkflowState
    given_name: str
    family_name: str
    needs: list[NeedCategory]
    urgency: Urgency
    safeguarding_concern: bool
    link_worker: str | None
    created_at: datetime
    next_follow_up_due: datetime | None


class CaseloadPage(BaseModel):
    items: list[CaseloadItem]
    next_cursor: str | None


class TimelineEntry(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str | None
    actor_role: str | None
    summary: str
    detail: dict[str, Any]


class AuditEntry(BaseModel):
    id: int
    at: datetime
    subject: str
    role: str
    actor_pcn: str
    action: str
    outcome: str
    referral_id: UUID | None
    referral_pcn: str | None
    referral_ids: list[UUID]
    detail: str | None


class PossibleDuplicate(BaseModel):
    id: UUID
    state: WorkflowState
    given_name: str
    family_name: str
    created_at: datetime
    match: str  # same-nhs-number, or close-match (date of birth with family name or postcode)


class DuplicateCheckResult(BaseModel):
    matches: list[PossibleDuplicate]
