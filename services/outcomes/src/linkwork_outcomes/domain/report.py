"""The summary report as it leaves the service: every figure already suppressed where it must be.

A `Figure` is a value or, when suppressed, null with `suppressed: true`. Nothing that builds a
report hands out raw counts: the only way to a Figure is through the suppression in
`report_assembly`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Figure(_Model):
    value: int | float | None = Field(description="null when suppressed, or when there is nothing to compute")
    suppressed: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None


class Period(_Model):
    start: str = Field(description="First month, YYYY-MM")
    end: str = Field(description="Last month, YYYY-MM (inclusive)")


class Scope(_Model):
    pcn: str | None = Field(description="PCN ODS code, or null for every PCN in view")
    practice: str | None = Field(description="GP practice ODS code, or null")
    icb: str | None = Field(default=None, description="ICB ODS code of the area reported on")
    sub_icb: str | None = Field(default=None, description="Sub-ICB location code, when the report covers one")
    level: str | None = Field(default=None, description="practice, pcn, sub_icb or icb: the kind of area")


class Suppression(_Model):
    rule: str
    smallest_count_shown: int
    suppressed_figures: int = Field(description="How many published figures were suppressed")


class CountRow(_Model):
    key: str
    label: str
    count: Figure
    share: Figure = Field(description="count / the section's base (e.g. all referrals)")


class FunnelStage(_Model):
    stage: str
    label: str
    count: Figure
    conversion_from_previous: Figure
    conversion_from_referred: Figure


class FirstContact(_Model):
    referrals: Figure = Field(description="Referrals with a first contact date")
    median_days: Figure
    p90_days: Figure
    within_target: Figure = Field(description="Share first contacted within 14 days")


class Contacts(_Model):
    referrals: Figure = Field(description="Referrals with at least one contact")
    mean_per_person: Figure
    median_per_person: Figure


class ActivityRow(_Model):
    service_id: str
    name: str
    provider_id: str | None
    provider_name: str | None
    planned: Figure = Field(description="Referrals whose current plan includes this activity")
    attended: Figure = Field(description="Of those, attending or completed")
    attendance_rate: Figure


class ProviderRow(_Model):
    provider_id: str
    name: str
    planned: Figure = Field(description="Activity places planned across the provider's services")
    attended: Figure
    attendance_rate: Figure


class OutcomeRow(_Model):
    score: str
    label: str
    higher_is_better: bool
    improvement_threshold: float
    pairs: Figure = Field(description="Referrals with a baseline and a later measurement")
    mean_change: Figure = Field(description="Mean of latest - baseline, in scale points")
    ci_lower: Figure = Field(description="95% confidence interval of the mean change (t)")
    ci_upper: Figure
    improved: Figure = Field(description="Pairs that improved by at least the threshold")
    improved_share: Figure


class Closures(_Model):
    closed: Figure
    reasons: list[CountRow]


class GapCell(_Model):
    need: str
    need_label: str
    postcode_district: str
    unmet: Figure = Field(description="Referrals with no suitable option within reach")
    with_need: Figure = Field(description="Referrals in the area with the need")


class Gaps(_Model):
    total_unmet: Figure
    cells: list[GapCell]
    by_need: list[CountRow]
    by_area: list[CountRow]


class EquityRow(_Model):
    key: str
    label: str
    referrals: Figure
    share: Figure
    plan_agreed: Figure
    plan_rate: Figure


class EquityBreakdown(_Model):
    dimension: str
    label: str
    rows: list[EquityRow]


class SummaryReport(_Model):
    title: str
    period: Period
    scope: Scope
    generated_at: datetime
    suppression: Suppression
    notes: list[str]
    referrals: Figure
    by_source: list[CountRow]
    by_need: list[CountRow]
    by_status: list[CountRow]
    funnel: list[FunnelStage]
    first_contact: FirstContact
    contacts: Contacts
    activities: list[ActivityRow]
    providers: list[ProviderRow]
    outcomes: list[OutcomeRow]
    closures: Closures
    gaps: Gaps
    equity: list[EquityBreakdown]
