"""The social prescribing extension carried on each ORUK service as `social_prescribing`.

ORUK has no place for how many people a service can take, how people get in, or which of our need
categories it serves. Need categories are also written as ORUK attributes (terms of the
linkwork-needs taxonomy) so plain ORUK clients see them; this object is the convenient form.
"""

from __future__ import annotations

from typing import TypeVar

from linkwork_contracts.codes import (
    Accessibility,
    ConditionGroup,
    DeliveryMode,
    EligibilityCode,
    NeedCategory,
    ReferralRoute,
)
from pydantic import BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")


def _unique(values: list[T]) -> list[T]:
    return list(dict.fromkeys(values))


class SocialPrescribing(BaseModel):
    """What a curator or an import may set."""

    model_config = ConfigDict(extra="ignore")

    places_per_week: int | None = Field(
        default=None, ge=0, le=100_000, description="People the service can take on each week; empty when unlimited"
    )
    waiting_list: bool = Field(default=False, description="New people join a waiting list")
    referral_routes: list[ReferralRoute] = Field(default_factory=list)
    delivery_modes: list[DeliveryMode] = Field(default_factory=list)
    accessibility: list[Accessibility] = Field(default_factory=list)
    need_categories: list[NeedCategory] = Field(default_factory=list)
    # Who the service is for (issue 21): codes of the linkwork eligibility taxonomy, and the
    # provider's own words beside them. Areas are ORUK's own service_areas.
    eligibility: list[EligibilityCode] = Field(default_factory=list, max_length=len(EligibilityCode))
    condition_groups: list[ConditionGroup] = Field(default_factory=list, max_length=len(ConditionGroup))
    eligibility_description: str | None = Field(default=None, max_length=2000)

    @field_validator(
        "referral_routes", "delivery_modes", "accessibility", "need_categories", "eligibility", "condition_groups"
    )
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return _unique(values)
