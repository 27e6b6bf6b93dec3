"""Facts: what the outcomes service keeps from each event, and nothing more.

One fact per event (or per item of an event), keyed by what makes it unique, so storing the same
event twice stores nothing new and arrival order does not matter: every figure is derived from
the full set of facts. No fact holds anything identifiable: people appear only as `person_ref`
and the coarse attributes that events carry for equity reporting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class ReferralVersion:
    """One version of a referral (referral-created). The highest version's attributes count."""

    referral_id: str
    version: int
    person_ref: str
    created_at: datetime
    source: str
    pcn: str
    practice: str | None
    age_band: str
    sex: str
    ethnic_category: str
    postcode_district: str | None
    imd_decile: int | None
    needs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlannedActivity:
    service_id: str
    need: str


@dataclass(frozen=True, slots=True)
class PlanVersion:
    """One version of a personalised plan (plan-agreed); a later version replaces the plan."""

    referral_id: str
    plan_version: int
    agreed_at: datetime
    first_contact_at: datetime | None
    activities: tuple[PlannedActivity, ...]


@dataclass(frozen=True, slots=True)
class Attendance:
    service_id: str
    status: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact with the person (follow-up-recorded), with attendance per activity."""

    contact_id: str
    referral_id: str
    contact_at: datetime
    kind: str
    outcome: str
    contacts_to_date: int
    attendance: tuple[Attendance, ...] = ()
    follow_up_id: str | None = None  # the due follow-up this contact fulfils, if any


@dataclass(frozen=True, slots=True)
class Measurement:
    """One outcome score (e.g. `ons4-anxiety`) at one time, in hundredths of a point.

    The same measurement can arrive twice (a revised plan repeats its baseline); its identity is
    the whole record, so the repeat adds nothing.
    """

    referral_id: str
    score: str
    timepoint: str
    recorded_at: datetime
    value: int


@dataclass(frozen=True, slots=True)
class FollowUpDue:
    follow_up_id: str
    referral_id: str
    due_on: date
    pcn: str


@dataclass(frozen=True, slots=True)
class Closure:
    """The end of an episode (referral-closed)."""

    referral_id: str
    closed_at: datetime
    status: str
    reason: str
    first_contact_at: datetime | None
    contacts_count: int


@dataclass(frozen=True, slots=True)
class ProvisionGap:
    """People in a postcode district with a need nothing suitable within reach meets."""

    need: str
    postcode_district: str
    window_start: datetime
    window_end: datetime
    referrals_with_need: int
    referrals_unmet: int
    detected_at: datetime


@dataclass(frozen=True, slots=True)
class ServiceLabel:
    """What a report needs to name an activity and its provider (service-changed)."""

    service_id: str
    revision: int
    name: str
    provider_id: str | None
    provider_name: str | None
    active: bool
    changed_at: datetime
    last_verified_on: date | None = None


@dataclass(frozen=True, slots=True)
class SuggestionSet:
    """How many options matching found per need for one version of a referral."""

    referral_id: str
    referral_version: int
    suggested_at: datetime
    options_per_need: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ReferralFacts:
    """Everything known about one referral: the input to its summary."""

    referral_id: str
    versions: tuple[ReferralVersion, ...] = ()
    plans: tuple[PlanVersion, ...] = ()
    contacts: tuple[Contact, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    follow_ups_due: tuple[FollowUpDue, ...] = ()
    closures: tuple[Closure, ...] = field(default=())


@dataclass
class FactBatch:
    """Facts from one or more events, each with the time of the event that carried it."""

    versions: list[tuple[ReferralVersion, datetime]] = field(default_factory=list)
    plans: list[tuple[PlanVersion, datetime]] = field(default_factory=list)
    contacts: list[tuple[Contact, datetime]] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    follow_ups_due: list[tuple[FollowUpDue, datetime]] = field(default_factory=list)
    closures: list[tuple[Closure, datetime]] = field(default_factory=list)
    gaps: list[tuple[ProvisionGap, datetime]] = field(default_factory=list)
    services: list[tuple[ServiceLabel, datetime]] = field(default_factory=list)
    suggestions: list[tuple[SuggestionSet, datetime]] = field(default_factory=list)

    def extend(self, other: FactBatch) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))

    def referral_ids(self) -> set[str]:
        """Referrals whose summary these facts can change."""
        ids = {fact.referral_id for fact, _ in self.versions}
        ids.update(fact.referral_id for fact, _ in self.plans)
        ids.update(fact.referral_id for fact, _ in self.contacts)
        ids.update(fact.referral_id for fact in self.measurements)
        ids.update(fact.referral_id for fact, _ in self.follow_ups_due)
        ids.update(fact.referral_id for fact, _ in self.closures)
        return ids

    def __len__(self) -> int:
        return sum(len(getattr(self, name)) for name in self.__dataclass_fields__)
