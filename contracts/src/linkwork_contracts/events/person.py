"""The pseudonymous picture of a person that events other than referral-requested carry."""

from __future__ import annotations

from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    DayOfWeek,
    DeliveryMode,
    EthnicCategory,
    ImdDecile,
    NeedCategory,
    PartOfDay,
    Sex,
    TravelMode,
)
from linkwork_contracts.events.base import UNIQUE, Event, no_duplicates
from linkwork_contracts.geography import ApproxLocation, Lsoa, PostcodeDistrict
from linkwork_contracts.identifiers import PersonRef

LanguageCode = Annotated[
    str,
    Field(
        pattern=r"^[a-z]{2,3}$",
        description="ISO 639-1 (two letters) or ISO 639-3 (three letters, e.g. bfi for BSL)",
    ),
]
# Interests are short lowercase tags ("gardening", "choir"), not free text: a tag cannot carry a
# sentence about the person, and matching compares tags with service descriptions.
InterestTag = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9 '-]{0,39}$")]

Languages = Annotated[
    tuple[LanguageCode, ...],
    Field(max_length=10, json_schema_extra=UNIQUE),
    AfterValidator(no_duplicates),
]
Needs = Annotated[
    tuple[NeedCategory, ...],
    Field(min_length=1, json_schema_extra=UNIQUE),
    AfterValidator(no_duplicates),
]
AccessibilityNeeds = Annotated[
    tuple[Accessibility, ...], Field(json_schema_extra=UNIQUE), AfterValidator(no_duplicates)
]


class PersonProfile(BaseModel):
    """Who the person is, in the coarse terms matching and equity reporting need."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_ref: PersonRef
    age_band: AgeBand
    sex: Sex
    ethnic_category: EthnicCategory
    postcode_district: PostcodeDistrict | None = Field(description="None when the person has no fixed address")
    lsoa: Lsoa | None = None
    imd_decile: ImdDecile | None = None
    location: ApproxLocation | None = Field(
        default=None, description="Home location rounded to 2 decimal places (about 1 km)"
    )
    languages: Languages = Field(default=("en",), description="Languages the person speaks")
    interpreter_needed: bool = False
    accessibility_needs: AccessibilityNeeds = ()

    @model_validator(mode="after")
    def _lsoa_or_location(self) -> Self:
        # An LSOA (~1,500 people) and a ~1 km location together narrow a person down far more than either,
        # on topics kept for ever; a producer sends one of them.
        if self.lsoa is not None and self.location is not None:
            raise ValueError("lsoa and location: an event carries at most one of them")
        return self


class AvailabilitySlot(BaseModel):
    """A part of a weekday when the person is free, e.g. Tuesday mornings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    day: DayOfWeek
    part_of_day: PartOfDay


class Preferences(BaseModel):
    """What the person wants from an activity, gathered in the "what matters to me" talk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    interests: Annotated[
        tuple[InterestTag, ...],
        Field(max_length=20, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ] = ()
    availability: Annotated[
        tuple[AvailabilitySlot, ...],
        Field(max_length=21, json_schema_extra=UNIQUE, description="Empty: any time"),
        AfterValidator(no_duplicates),
    ] = ()
    delivery_modes: Annotated[
        tuple[DeliveryMode, ...],
        Field(json_schema_extra=UNIQUE, description="Acceptable delivery modes; empty: any"),
        AfterValidator(no_duplicates),
    ] = ()
    travel_mode: TravelMode | None = Field(default=None, description="None: not stated")
    max_travel_minutes: int | None = Field(default=None, ge=5, le=180)
    max_cost_pence: int | None = Field(
        default=None, ge=0, description="Most the person can pay per session; 0: free only"
    )

    @model_validator(mode="after")
    def _travel_needs_mode(self) -> Self:
        if self.max_travel_minutes is not None and self.travel_mode is None:
            raise ValueError("max_travel_minutes needs a travel_mode to turn time into distance")
        return self


class ReferralPersonEvent(Event):
    """An event about one referral that names its person only by `person_ref` (the pseudonym consumers
    join on), keyed by the referral so that it stays in order with the referral's other events."""

    KEY_FIELD: ClassVar[str] = "referral_id"

    referral_id: UUID
    person_ref: PersonRef
