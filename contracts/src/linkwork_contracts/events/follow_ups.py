"""follow-up-due and follow-up-recorded: the link worker keeping in touch."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from linkwork_contracts import topics
from linkwork_contracts.codes import (
    AttendanceStatus,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    NeedCategory,
)
from linkwork_contracts.events.base import has_repeats
from linkwork_contracts.events.person import ReferralPersonEvent
from linkwork_contracts.identifiers import PcnCode, StaffId
from linkwork_contracts.measures import MeasureResult


class FollowUpDueV1(ReferralPersonEvent):
    """A planned follow-up has fallen due. Published once per follow_up_id."""

    TYPE: ClassVar[str] = "uk.linkwork.followup.due.v1"
    TOPIC: ClassVar[str] = topics.FOLLOW_UP_DUE

    follow_up_id: UUID
    sequence: int = Field(ge=1, description="1 for the plan's first follow-up, and so on")
    kind: ContactKind
    due_on: date
    pcn_code: PcnCode
    link_worker_id: StaffId | None = None


class ActivityAttendance(BaseModel):
    """How the person is getting on with one planned activity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: UUID
    need: NeedCategory
    status: AttendanceStatus
    sessions_attended: int | None = Field(default=None, ge=0, le=500)
    confirmed_by: ConfirmedBy


class FollowUpRecordedV1(ReferralPersonEvent):
    """A contact with the person, with attendance and any repeat measures."""

    TYPE: ClassVar[str] = "uk.linkwork.followup.recorded.v1"
    TOPIC: ClassVar[str] = topics.FOLLOW_UP_RECORDED

    contact_id: UUID = Field(description="Unique per contact, so learning counts it once")
    follow_up_id: UUID | None = Field(description="The due follow-up this fulfils, if any")
    contact_at: AwareDatetime
    kind: ContactKind
    mode: DeliveryMode
    outcome: ContactOutcome
    duration_minutes: int | None = Field(default=None, ge=0, le=600)
    contacts_to_date: int = Field(ge=0, description="Contacts made so far, this one included")
    attendance: tuple[ActivityAttendance, ...] = Field(default=(), max_length=20)
    measures: tuple[MeasureResult, ...] = Field(default=(), max_length=6)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if has_repeats([a.service_id for a in self.attendance]):
            raise ValueError("attendance lists a service_id twice")
        if self.outcome is not ContactOutcome.CONTACT_MADE and self.measures:
            raise ValueError("measures need a contact that was made (outcome contact-made)")
        if self.outcome is ContactOutcome.CONTACT_MADE and self.contacts_to_date < 1:
            raise ValueError("contacts_to_date must count this contact")
        return self
