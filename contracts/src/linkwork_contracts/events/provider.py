"""activity-referred, activity-referral-responded, attendance-confirmed: closing the loop with providers.

When a plan is agreed, each chosen activity whose provider takes referrals becomes an activity referral to
that provider's organisation (its ORUK organization id). The provider answers (accept, or decline with a
reason), confirms attendance session by session and marks the referral completed; the referral service
publishes each step.

Privacy: these events reach providers, who are outside the NHS care team. They carry no `person_ref` (a
provider must not be able to link a person across providers or with linkwork's other topics), no NHS
number and no notes. Only `activity-referred` carries person details, and only those the person agreed to
share with this provider (`shared`): a first name, one contact route, the relevant needs and accessibility
needs. The privacy guard allows exactly these (`privacy.PROVIDER_SHARED_FIELDS`). All three are keyed by
the referral id, so they stay in order with the referral's other events.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from linkwork_contracts import topics
from linkwork_contracts.codes import (
    Accessibility,
    ActivityReferralDecision,
    ConfirmedBy,
    DeclineReason,
    NeedCategory,
    SessionAttendance,
    SharedContactRoute,
)
from linkwork_contracts.events.base import UNIQUE, Event, no_duplicates
from linkwork_contracts.identifiers import PcnCode


class SharedContact(BaseModel):
    """The one way the person agreed the provider may contact them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    route: SharedContactRoute
    value: str | None = Field(
        default=None,
        min_length=3,
        max_length=254,
        description="The phone number or email address; None for via-link-worker",
    )

    @model_validator(mode="after")
    def _value_matches_route(self) -> Self:
        if (self.route is SharedContactRoute.VIA_LINK_WORKER) != (self.value is None):
            raise ValueError("value is required for phone and email, and absent for via-link-worker")
        return self


class SharedDetails(BaseModel):
    """Only what the person agreed to share with this provider (recorded per provider in the plan).

    Each part the person did not agree to share is absent (None or empty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_name: str | None = Field(default=None, min_length=1, max_length=50)
    contact: SharedContact | None = None
    needs: Annotated[
        tuple[NeedCategory, ...],
        Field(default=(), max_length=20, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ]
    accessibility_needs: Annotated[
        tuple[Accessibility, ...],
        Field(default=(), max_length=20, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ]


class _ActivityReferralEvent(Event):
    """What every provider-loop event says about which activity referral it is."""

    KEY_FIELD: ClassVar[str] = "referral_id"
    SHARED_WITH_PROVIDER: ClassVar[bool] = True

    activity_referral_id: UUID = Field(description="One per referral and service")
    referral_id: UUID
    service_id: UUID = Field(description="The ORUK service id")
    organization_id: UUID = Field(description="The ORUK organization id of the service's provider")
    need: NeedCategory = Field(description="The need in the plan this activity is for")
    pcn_code: PcnCode


class ActivityReferredV1(_ActivityReferralEvent):
    """A plan's chosen activity was referred to its provider, who must answer by `respond_by`."""

    TYPE: ClassVar[str] = "uk.linkwork.activity.referred.v1"
    TOPIC: ClassVar[str] = topics.ACTIVITY_REFERRED

    referred_at: AwareDatetime
    respond_by: AwareDatetime = Field(description="Without an answer by then it is declined (no-response)")
    shared: SharedDetails


class ActivityReferralRespondedV1(_ActivityReferralEvent):
    """The provider accepted or declined (or the deadline declined it with reason no-response).

    A start date set or changed after accepting is published again with `revision` + 1; the highest
    revision per activity referral is the current answer."""

    TYPE: ClassVar[str] = "uk.linkwork.activity.referral-responded.v1"
    TOPIC: ClassVar[str] = topics.ACTIVITY_REFERRAL_RESPONDED

    revision: int = Field(ge=1)
    referred_at: AwareDatetime = Field(description="When the activity referral was sent (for response times)")
    responded_at: AwareDatetime
    decision: ActivityReferralDecision
    decline_reason: DeclineReason | None = Field(default=None, description="Required when declined")
    starts_on: date | None = Field(default=None, description="Only when accepted")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        declined = self.decision is ActivityReferralDecision.DECLINED
        if declined != (self.decline_reason is not None):
            raise ValueError("decline_reason is required when declined and absent when accepted")
        if declined and self.starts_on is not None:
            raise ValueError("starts_on is only for an accepted referral")
        if self.responded_at < self.referred_at:
            raise ValueError("responded_at must not be before referred_at")
        return self


class AttendanceConfirmedV1(_ActivityReferralEvent):
    """One session's attendance, and/or the activity marked completed.

    `confirmed_by` says who reported it: `provider` (confirmed) weighs more than `person` or `link-worker`
    (self-reported). Each record has its own `attendance_id`; the same session confirmed again with another
    answer is a new record for the same `session_on`, and the latest `recorded_at` wins."""

    TYPE: ClassVar[str] = "uk.linkwork.attendance.confirmed.v1"
    TOPIC: ClassVar[str] = topics.ATTENDANCE_CONFIRMED

    attendance_id: UUID = Field(description="Unique per record, so consumers count it once")
    recorded_at: AwareDatetime
    confirmed_by: ConfirmedBy
    session_on: date | None = Field(default=None, description="The session's date; None for completion alone")
    attendance: SessionAttendance | None = None
    completed: bool = Field(default=False, description="The person completed the activity")
    sessions_attended: int = Field(ge=0, le=500, description="Sessions attended so far, this one included")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.session_on is None) != (self.attendance is None):
            raise ValueError("session_on and attendance go together")
        if self.session_on is None and not self.completed:
            raise ValueError("an attendance record needs a session or completed")
        return self
