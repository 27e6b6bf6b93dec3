"""matches-suggested and provision-gap: what the matching service tells the others."""

from __future__ import annotations

from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from linkwork_contracts import topics
from linkwork_contracts.codes import DeliveryMode, NeedCategory
from linkwork_contracts.events.base import Event
from linkwork_contracts.geography import PostcodeDistrict
from linkwork_contracts.identifiers import PersonRef

Reason = Annotated[str, Field(min_length=1, max_length=200)]


class SuggestedOption(BaseModel):
    """One ranked activity for one need, with reasons a link worker can read out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: UUID
    service_name: str = Field(min_length=1, max_length=200)
    rank: int = Field(ge=1)
    score: float = Field(ge=0.0, le=1.0)
    distance_km: float | None = Field(ge=0.0, description="None for online or telephone options")
    delivery_mode: DeliveryMode
    reasons: tuple[Reason, ...] = Field(min_length=1, max_length=10)


class EligibilityCheck(BaseModel):
    """A service within reach that may be for the person, if the link worker confirms a provider's rule
    that nothing recorded answers (issue 21): never offered as an option, never dropped silently."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: UUID
    service_name: str = Field(min_length=1, max_length=200)
    reason: Reason = Field(description="The rule and what is not recorded, e.g. 'for carers: check eligibility'")


class NeedSuggestions(BaseModel):
    """The options for one need, best first. Empty when nothing suitable is within reach."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    need: NeedCategory
    options: tuple[SuggestedOption, ...] = Field(max_length=20)
    # Added in issue 21 (optional: earlier events have none).
    check_eligibility: tuple[EligibilityCheck, ...] = Field(default=(), max_length=10)

    @model_validator(mode="after")
    def _ranked(self) -> Self:
        ranks = [o.rank for o in self.options]
        if ranks != list(range(1, len(ranks) + 1)):
            raise ValueError(f"options for {self.need.value} must be ranked 1..n in order")
        return self


class MatchesSuggestedV1(Event):
    """The suggestion set for one version of a referral. At most one per (referral, version)."""

    TYPE: ClassVar[str] = "uk.linkwork.matches.suggested.v1"
    TOPIC: ClassVar[str] = topics.MATCHES_SUGGESTED
    KEY_FIELD: ClassVar[str] = "referral_id"

    referral_id: UUID
    referral_version: int = Field(ge=1)
    person_ref: PersonRef
    suggested_at: AwareDatetime
    ranker_version: str = Field(min_length=1, max_length=40, description="Which ranking model produced this set")
    needs: tuple[NeedSuggestions, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_entry_per_need(self) -> Self:
        needs = [n.need for n in self.needs]
        if len(set(needs)) != len(needs):
            raise ValueError("a need appears twice in needs")
        return self


class ProvisionGapV1(Event):
    """People in an area have a need that nothing suitable within reach meets.

    Aggregated over a window per (postcode district, need) so one area cannot flood the topic.
    Counts are internal: reports that leave linkwork apply small-number suppression.
    """

    TYPE: ClassVar[str] = "uk.linkwork.provision.gap.v1"
    TOPIC: ClassVar[str] = topics.PROVISION_GAP
    KEY_FIELD: ClassVar[str] = "postcode_district:need"

    need: NeedCategory
    postcode_district: PostcodeDistrict
    window_start: AwareDatetime
    window_end: AwareDatetime
    referrals_with_need: int = Field(ge=1, description="Referrals in the area with this need")
    referrals_unmet: int = Field(ge=1, description="Of those, how many had no suitable option")
    nearest_option_km: float | None = Field(
        default=None, ge=0.0, description="Distance to the nearest eligible option out of reach"
    )
    detected_at: AwareDatetime
    # Added in issue 21 (optional, so v1 readers of earlier events are unaffected).
    excluded_by: str | None = Field(
        default=None,
        max_length=300,
        description="Which providers' rule kept the services near enough from these people, e.g. "
        "'3 housing services within 5 km, none for this area (for Leeds residents only)'",
    )

    def key(self) -> str:
        """`<district>:<need>`, so each area and need keeps its own order."""
        return f"{self.postcode_district}:{self.need.value}"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        if self.referrals_unmet > self.referrals_with_need:
            raise ValueError("referrals_unmet cannot exceed referrals_with_need")
        return self
