"""Request and response bodies of the matching API."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    ConditionGroup,
    DeliveryMode,
    NeedCategory,
    Sex,
    TravelMode,
)
from linkwork_contracts.events import AvailabilitySlot
from linkwork_contracts.events.directory import LOCAL_AUTHORITY_PATTERN
from linkwork_contracts.events.person import InterestTag, LanguageCode
from linkwork_contracts.geography import ApproxLocation, Lsoa, PostcodeDistrict
from linkwork_runtime.openapi import example
from pydantic import BaseModel, Field

from linkwork_matching.domain.reasons import ReasonKind


class MatchRequest(BaseModel):
    """Who to match and the link worker's own filters. With `referral_id`, the referral's person
    and preferences are the starting point and every field given here replaces its value."""

    model_config = example(
        {
            "needs": ["physical-activity"],
            "age_band": "65-74",
            "travel_mode": "public-transport",
            "max_travel_minutes": 30,
            "delivery_modes": ["in-person"],
            "availability": [{"day": "WE", "part_of_day": "afternoon"}],
        },
        extra="forbid",
    )

    referral_id: UUID | None = None
    needs: Annotated[tuple[NeedCategory, ...], Field(min_length=1, max_length=16)] | None = None
    age_band: AgeBand | None = None
    location: ApproxLocation | None = None
    travel_mode: TravelMode | None = None
    max_travel_minutes: int | None = Field(default=None, ge=5, le=180)
    max_distance_km: float | None = Field(
        default=None, gt=0, le=200, description="Overrides the reach worked out from travel mode and time"
    )
    # Every list is bounded (issue 15): an unbounded one costs memory and ranking time per item.
    delivery_modes: Annotated[tuple[DeliveryMode, ...], Field(max_length=len(DeliveryMode))] | None = None
    accessibility_needs: Annotated[tuple[Accessibility, ...], Field(max_length=len(Accessibility))] | None = None
    languages: Annotated[tuple[LanguageCode, ...], Field(max_length=10)] | None = None
    interpreter_needed: bool | None = None
    interests: Annotated[tuple[InterestTag, ...], Field(max_length=20)] | None = None
    availability: Annotated[tuple[AvailabilitySlot, ...], Field(max_length=21)] | None = None
    sessions_in: Annotated[tuple[AvailabilitySlot, ...], Field(max_length=21)] = Field(
        default=(), description="Only options with a session in one of these slots"
    )
    max_cost_pence: int | None = Field(default=None, ge=0)
    accepts_waiting_list: bool | None = None
    # What providers' eligibility rules ask about (issue 21); left out: not recorded, so a service
    # that depends on it is listed under check_eligibility rather than offered.
    postcode_district: PostcodeDistrict | None = None
    lsoa: Lsoa | None = None
    local_authority: str | None = Field(default=None, pattern=LOCAL_AUTHORITY_PATTERN, description="ONS GSS code")
    sex: Sex | None = None
    carer: bool | None = None
    veteran: bool | None = None
    condition_groups: Annotated[tuple[ConditionGroup, ...], Field(max_length=len(ConditionGroup))] | None = None
    options_per_need: int = Field(default=3, ge=1, le=20)
    limit: int = Field(default=10, ge=1, le=50, description="Length of the combined ranked list")


class ReasonOut(BaseModel):
    kind: ReasonKind
    text: str


class MatchOption(BaseModel):
    service_id: UUID
    service_name: str
    organisation: str
    need: NeedCategory
    also_meets: list[NeedCategory]
    rank: int
    score: float
    distance_km: float | None
    delivery_mode: DeliveryMode
    venue_name: str | None
    reasons: list[ReasonOut]
    summary: str = Field(description="One line to read out: the name, then the reasons")


class ToCheckOut(BaseModel):
    service_id: UUID
    service_name: str
    reason: str = Field(description="The provider's rule and what is not recorded about the person")


class NeedMatches(BaseModel):
    need: NeedCategory
    eligible_services: int
    nearest_beyond_reach_km: float | None
    options: list[MatchOption]
    barred_services: int = Field(default=0, description="Within reach, but the provider's rules exclude the person")
    check_eligibility: list[ToCheckOut] = Field(
        default_factory=list, description="Within reach and may be for the person: confirm before offering"
    )
    gap_reason: str | None = Field(default=None, description="For a gap: which rule excluded the near services")


class MatchResponse(BaseModel):
    ranker_version: str
    needs: list[NeedMatches]
    ranked: list[MatchOption] = Field(description="Every need covered before a second option for any")
    gaps: list[NeedCategory] = Field(description="Needs with nothing eligible within reach")
