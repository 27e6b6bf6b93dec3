"""referral-created and referral-closed: the start and end of an episode, pseudonymised."""

from __future__ import annotations

from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from linkwork_contracts import topics
from linkwork_contracts.codes import (
    ClosureReason,
    ReferralSource,
    ReferralStatus,
    SnomedConcept,
    Urgency,
)
from linkwork_contracts.events.base import UNIQUE, Event, no_duplicates
from linkwork_contracts.events.person import Needs, PersonProfile, Preferences, ReferralPersonEvent
from linkwork_contracts.identifiers import PcnCode, PracticeOdsCode, RequestId
from linkwork_contracts.measures import MeasureResult


class ReferralCreatedV1(Event):
    """A referral exists. Re-published with version + 1 whenever needs or preferences change.

    Consumers keep the highest version they have seen for a referral; matching suggests once per
    version and echoes it in matches-suggested.
    """

    TYPE: ClassVar[str] = "uk.linkwork.referral.created.v1"
    TOPIC: ClassVar[str] = topics.REFERRAL_CREATED
    KEY_FIELD: ClassVar[str] = "referral_id"

    referral_id: UUID
    version: int = Field(ge=1, description="1 when created; + 1 each time needs or preferences change")
    request_id: RequestId | None = Field(
        description="The referral-requested id this came from; None when made in linkwork"
    )
    created_at: AwareDatetime = Field(description="When the referral was made (version 1)")
    updated_at: AwareDatetime = Field(description="When this version was made")
    source: ReferralSource
    urgency: Urgency
    pcn_code: PcnCode
    practice_ods_code: PracticeOdsCode | None
    person: PersonProfile
    needs: Needs
    preferences: Preferences = Preferences()

    @model_validator(mode="after")
    def _versions_in_order(self) -> Self:
        if self.updated_at < self.created_at:
            raise ValueError("updated_at is before created_at")
        if self.version == 1 and self.updated_at != self.created_at:
            raise ValueError("version 1 must have updated_at equal to created_at")
        return self


_CLOSED_STATUSES = frozenset(
    {
        ReferralStatus.COMPLETED,
        ReferralStatus.CANCELLED,
        ReferralStatus.FAILED,
        ReferralStatus.REJECTED,
        ReferralStatus.ENTERED_IN_ERROR,
    }
)


class ReferralClosedV1(ReferralPersonEvent):
    """An episode ended. Existing systems correlate it with their request by request_id."""

    TYPE: ClassVar[str] = "uk.linkwork.referral.closed.v1"
    TOPIC: ClassVar[str] = topics.REFERRAL_CLOSED

    request_id: RequestId | None
    pcn_code: PcnCode
    practice_ods_code: PracticeOdsCode | None
    referred_at: AwareDatetime
    first_contact_at: AwareDatetime | None = Field(description="None if never contacted")
    closed_at: AwareDatetime
    status: ReferralStatus = Field(description="The terminal status the referral ended in")
    closure_reason: ClosureReason
    contacts_count: int = Field(ge=0, description="Contacts made with the person in the episode")
    final_measures: tuple[MeasureResult, ...] = Field(default=(), max_length=6)
    gp_record_codes: Annotated[
        tuple[SnomedConcept, ...],
        Field(json_schema_extra=UNIQUE, description="SNOMED CT concepts to write to the GP record"),
        AfterValidator(no_duplicates),
    ] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status not in _CLOSED_STATUSES:
            raise ValueError(f"status {self.status.value} is not a closed status")
        if self.closed_at < self.referred_at:
            raise ValueError("closed_at is before referred_at")
        if self.first_contact_at is not None and self.first_contact_at < self.referred_at:
            raise ValueError("first_contact_at is before referred_at")
        if self.first_contact_at is None and self.contacts_count > 0:
            raise ValueError("contacts_count > 0 but first_contact_at is missing")
        return self
