"""Request bodies of the HTTP API, validated before any use case runs (422 on failure).

Shapes and codes come from `linkwork_contracts` wherever the contracts define them, so the API
accepts exactly what the events can carry.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Self
from uuid import UUID

from linkwork_contracts.codes import (
    Accessibility,
    AttendanceStatus,
    ClosureReason,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    NeedCategory,
    ReferralSource,
    SharedContactRoute,
    TravelMode,
    Urgency,
)
from linkwork_contracts.events import AvailabilitySlot, PersonDetails, Preferences
from linkwork_contracts.events.base import UNIQUE, no_duplicates
from linkwork_contracts.events.person import InterestTag
from linkwork_contracts.events.referral_requested import NhsNumber
from linkwork_contracts.identifiers import OdsCode, PracticeOdsCode, StaffId
from linkwork_contracts.measures import (
    AnyMeasureResult,
    MeasureName,
    Ons4Result,
    SwemwbsResult,
    Timepoint,
    Ucla3Result,
)
from linkwork_runtime.openapi import example
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from linkwork_referral.domain.person import Person
from linkwork_referral.domain.records import Barrier

Text = Annotated[str, Field(min_length=1, max_length=4000)]
Reason = Annotated[str, Field(min_length=1, max_length=1000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Needs = Annotated[list[NeedCategory], Field(min_length=1, max_length=len(NeedCategory))]

_RESULT_TYPES: dict[MeasureName, type[Ons4Result | SwemwbsResult | Ucla3Result]] = {
    MeasureName.ONS4: Ons4Result,
    MeasureName.SWEMWBS: SwemwbsResult,
    MeasureName.UCLA3: Ucla3Result,
}


def _first_message(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


# Control characters other than tab and line breaks: no person's details contain them, and stored they
# reach terminals, logs and CSV exports (an ESC sequence recolours or rewrites an operator's screen).
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def storable_text(value: object) -> object:
    """Refuse text PostgreSQL cannot store: NUL characters and lone UTF-16 surrogates (both are
    valid JSON escapes, so JSON parsing lets them through); and control characters."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL (\\u0000) characters")
        if _CONTROL.search(value):
            raise ValueError("text must not contain control characters (only tab and line breaks)")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode (no lone surrogate escapes)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            storable_text(key)
            storable_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            storable_text(item)
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: object) -> object:
        return storable_text(data)


# The (synthetic) person the examples refer.
_ADA: dict[str, Any] = {
    "nhs_number": "9993395633",
    "given_name": "Ada",
    "family_name": "Example",
    "date_of_birth": "1950-03-14",
    "sex": "female",
    "postcode": "LS6 1AA",
    "phone": "0113 496 0000",
    "preferred_contact": "telephone",
}


class PersonIn(PersonDetails, Strict):
    """The person's details; the NHS number is required when a referral is made here."""

    model_config = example(_ADA)

    nhs_number: NhsNumber
    # Bounded at the API (issue 15); the event's unique-items rule alone would check a long list item by item.
    accessibility_needs: Annotated[
        tuple[Accessibility, ...],
        Field(max_length=len(Accessibility), json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ] = ()

    def to_person(self) -> Person:
        return Person(
            given_name=self.given_name,
            family_name=self.family_name,
            nhs_number=self.nhs_number,
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            ethnic_category=self.ethnic_category,
            address_lines=self.address_lines,
            postcode=self.postcode,
            phone=self.phone,
            email=self.email,
            preferred_contact=self.preferred_contact,
            languages=self.languages,
            interpreter_needed=self.interpreter_needed,
            accessibility_needs=self.accessibility_needs,
        )


class CreateReferral(Strict):
    person: PersonIn
    needs: Needs
    reason: str | None = Field(default=None, max_length=2000, description="Why, in free text")
    source: ReferralSource
    referrer_organisation: OdsCode = Field(description="ODS code of the referrer's organisation")
    practice_ods_code: PracticeOdsCode | None = Field(default=None, description="The person's GP practice")
    urgency: Urgency = Urgency.ROUTINE
    safeguarding_concern: bool = False
    consent_to_refer: bool = Field(description="Must be true: the person agreed to be referred")
    consent_recorded_at: AwareDatetime | None = Field(default=None, description="Default: now")

    @field_validator("consent_to_refer")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("consent_to_refer must be true: a referral needs the person's consent")
        return value


class MeasureAnswers(Strict):
    """One outcome measure's answers in questionnaire order; scores are worked out here."""

    measure: MeasureName
    items: list[int] = Field(min_length=1, max_length=7)

    @model_validator(mode="after")
    def _valid_answers(self) -> Self:
        self.result(datetime.fromisoformat("2000-01-01T00:00:00+00:00"), Timepoint.BASELINE)
        return self

    def result(self, recorded_at: datetime, timepoint: Timepoint) -> AnyMeasureResult:
        """Raises ValueError naming the item that is out of range or the wrong count."""
        try:
            return _RESULT_TYPES[self.measure].from_items(self.items, recorded_at=recorded_at, timepoint=timepoint)
        except ValidationError as error:
            raise ValueError(_first_message(error)) from None


Measures = Annotated[list[MeasureAnswers], Field(max_length=3)]


class Accept(Strict):
    model_config = example({"link_worker": "lw-0042"})

    link_worker: StaffId | None = Field(
        default=None, description="Default: the caller (a link worker); a pcn_admin must name one"
    )


class Reassign(Strict):
    model_config = example({"link_worker": "lw-0042"})

    link_worker: StaffId | None = Field(
        default=None, description="Default: the caller (a link worker taking over); a pcn_admin must name one"
    )


class Reject(Strict):
    model_config = example(
        {"reason": "Needs urgent mental health support: referred back to the GP for the crisis team"}
    )

    reason: Reason


class Hold(Strict):
    model_config = example({"reason": "In hospital for two weeks; the family will call when she is home"})

    reason: Reason


class EnteredInError(Strict):
    model_config = example({"reason": "Made for the wrong person: same name, different date of birth"})

    reason: Reason


class ContactIn(Strict):
    model_config = example(
        {
            "kind": "first-contact",
            "mode": "telephone",
            "occurred_at": "2026-12-07T10:30:00+00:00",
            "outcome": "contact-made",
            "duration_minutes": 20,
        }
    )

    kind: ContactKind
    mode: DeliveryMode
    occurred_at: AwareDatetime
    outcome: ContactOutcome
    duration_minutes: int | None = Field(default=None, ge=0, le=600)
    notes: Text | None = None


class AssessmentIn(Strict):
    model_config = example(
        {
            "needs": ["loneliness-isolation"],
            "baseline_measures": [{"measure": "ons4", "items": [4, 5, 6, 7]}],
            "interests": ["gardening"],
            "availability": [{"day": "TU", "part_of_day": "morning"}],
            "what_matters": "Getting out of the house and meeting people",
            "delivery_modes": ["in-person"],
            "travel_mode": "walk",
            "max_travel_minutes": 20,
        }
    )

    needs: Needs
    baseline_measures: Annotated[list[MeasureAnswers], Field(min_length=1, max_length=3)]
    strengths: Annotated[list[ShortText], Field(max_length=20)] = []
    interests: Annotated[list[InterestTag], Field(max_length=20)] = []
    barriers: Annotated[list[Barrier], Field(max_length=len(Barrier))] = []
    availability: Annotated[list[AvailabilitySlot], Field(max_length=21)] = []
    what_matters: Text | None = None
    delivery_modes: Annotated[list[DeliveryMode], Field(max_length=len(DeliveryMode))] = []
    travel_mode: TravelMode | None = None
    max_travel_minutes: int | None = Field(default=None, ge=5, le=180)
    max_cost_pence: int | None = Field(default=None, ge=0, le=1_000_000)

    def preferences(self) -> Preferences:
        return Preferences(
            interests=tuple(self.interests),
            availability=tuple(self.availability),
            delivery_modes=tuple(self.delivery_modes),
            travel_mode=self.travel_mode,
            max_travel_minutes=self.max_travel_minutes,
            max_cost_pence=self.max_cost_pence,
        )

    @model_validator(mode="after")
    def _valid_preferences(self) -> Self:
        try:
            self.preferences()  # duplicates, and a travel time without a travel mode
        except ValidationError as error:
            raise ValueError(_first_message(error)) from None
        return self


class ShareIn(Strict):
    """What the person agreed to share with this activity's provider (issue 17); nothing unless chosen."""

    first_name: bool = False
    contact: SharedContactRoute = Field(
        default=SharedContactRoute.VIA_LINK_WORKER,
        description="phone or email shares that route's value; via-link-worker shares none",
    )
    needs: bool = Field(default=False, description="The need this activity is for")
    accessibility_needs: bool = False


class ActivityIn(Strict):
    service_id: UUID = Field(description="Directory service id, from the suggestions or chosen directly")
    need: NeedCategory
    starts_on: date | None = None
    name: ShortText | None = None
    share: ShareIn = Field(
        default_factory=ShareIn,
        description="If the provider takes referrals, the activity is referred to it with only these details",
    )


class FollowUpPlanned(Strict):
    due_on: date
    kind: ContactKind = ContactKind.FOLLOW_UP


class PlanIn(Strict):
    model_config = example(
        {
            "goals": ["Meet people once a week"],
            "needs_addressed": ["loneliness-isolation"],
            "activities": [
                {
                    "service_id": "0b9c8d5e-3a41-4c2b-9a57-2f6d1e8c4b10",
                    "need": "loneliness-isolation",
                    "share": {"first_name": True, "contact": "phone", "needs": True},
                }
            ],
            "follow_ups": [{"due_on": "2027-01-11"}],
        }
    )

    goals: Annotated[list[ShortText], Field(min_length=1, max_length=10)]
    needs_addressed: Needs
    activities: Annotated[list[ActivityIn], Field(max_length=20)]
    follow_ups: Annotated[list[FollowUpPlanned], Field(max_length=24)] = []


class AttendanceIn(Strict):
    service_id: UUID
    status: AttendanceStatus
    confirmed_by: ConfirmedBy
    sessions_attended: int | None = Field(default=None, ge=0, le=500)


class FollowUpIn(ContactIn):
    model_config = example(
        {
            "mode": "telephone",
            "occurred_at": "2027-01-11T11:00:00+00:00",
            "outcome": "contact-made",
            "attendance": [
                {
                    "service_id": "0b9c8d5e-3a41-4c2b-9a57-2f6d1e8c4b10",
                    "status": "attending",
                    "confirmed_by": "person",
                    "sessions_attended": 3,
                }
            ],
            "measures": [{"measure": "ons4", "items": [6, 6, 7, 5]}],
        }
    )

    kind: ContactKind = ContactKind.FOLLOW_UP
    follow_up_id: UUID | None = Field(default=None, description="The planned follow-up this fulfils")
    attendance: Annotated[list[AttendanceIn], Field(max_length=20)] = []
    measures: Measures = []


class CloseIn(Strict):
    model_config = example({"reason": "goals-met", "final_measures": [{"measure": "ons4", "items": [7, 7, 8, 4]}]})

    reason: ClosureReason
    notes: Text | None = None
    final_measures: Measures = []


class DuplicateCheck(Strict):
    """Who a new referral is for, to warn of an open referral for the same person before making another."""

    model_config = example(
        {k: _ADA[k] for k in ("nhs_number", "given_name", "family_name", "date_of_birth", "postcode")}
    )

    nhs_number: NhsNumber
    given_name: Annotated[str, Field(min_length=1, max_length=100)]
    family_name: Annotated[str, Field(min_length=1, max_length=100)]
    date_of_birth: date
    postcode: Annotated[str, Field(max_length=10)] | None = None
