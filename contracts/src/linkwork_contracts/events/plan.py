"""plan-agreed: the personalised plan's chosen activities and the baseline measures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from linkwork_contracts import topics
from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.events.base import UNIQUE, has_repeats, no_duplicates
from linkwork_contracts.events.person import ReferralPersonEvent
from linkwork_contracts.measures import MeasureResult, Timepoint


class PlannedActivity(BaseModel):
    """One activity the person agreed to try, and the need it is for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: UUID
    need: NeedCategory
    suggested_rank: int | None = Field(
        default=None,
        ge=1,
        description="Its rank in matches-suggested for this need; None if chosen another way",
    )
    starts_on: date | None = None


class PlanAgreedV1(ReferralPersonEvent):
    """The whole current plan. A revision is published again with plan_version + 1 and replaces
    the earlier one: an activity missing from the revision has been dropped."""

    TYPE: ClassVar[str] = "uk.linkwork.plan.agreed.v1"
    TOPIC: ClassVar[str] = topics.PLAN_AGREED

    plan_version: int = Field(ge=1)
    referral_version: int | None = Field(
        ge=1, description="The referral version whose suggestions the plan was chosen from"
    )
    agreed_at: AwareDatetime
    first_contact_at: AwareDatetime | None
    needs_addressed: Annotated[
        tuple[NeedCategory, ...],
        Field(min_length=1, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ]
    activities: tuple[PlannedActivity, ...] = Field(max_length=20)
    baseline_measures: tuple[MeasureResult, ...] = Field(default=(), max_length=6)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if has_repeats([a.service_id for a in self.activities]):
            raise ValueError("an activity's service_id appears twice in the plan")
        for activity in self.activities:
            if activity.need not in self.needs_addressed:
                raise ValueError(f"activity need {activity.need.value} is not in needs_addressed")
        for measure in self.baseline_measures:
            if measure.timepoint is not Timepoint.BASELINE:
                raise ValueError("baseline_measures must all have timepoint baseline")
        return self
