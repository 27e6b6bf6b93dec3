"""A community service as matching sees it: the facts that decide whether and how well it fits.

Built from the directory's `service-changed` snapshots by the adapters; nothing here knows the
event's wire shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from linkwork_contracts.codes import (
    Accessibility,
    CapacityStatus,
    ConditionGroup,
    CostUnit,
    DayOfWeek,
    DeliveryMode,
    EligibilityCode,
    NeedCategory,
    PartOfDay,
    ReferralRoute,
    ScheduleFrequency,
    ServiceStatus,
    part_of_day,
)

from linkwork_matching.domain.eligibility import Area

DAYS: tuple[DayOfWeek, ...] = tuple(DayOfWeek)
PARTS: tuple[PartOfDay, ...] = tuple(PartOfDay)
ENGLISH = "en"


@dataclass(frozen=True, slots=True)
class Session:
    """A recurring session: "Tuesdays 10:00"."""

    day: DayOfWeek
    starts: time
    frequency: ScheduleFrequency = ScheduleFrequency.WEEKLY
    interval: int = 1  # 2 with WEEKLY: fortnightly

    @property
    def part_of_day(self) -> PartOfDay | None:
        return part_of_day(self.starts)


@dataclass(frozen=True, slots=True)
class Venue:
    """A physical place the service runs at (an ORUK service_at_location with coordinates)."""

    venue_id: str
    name: str
    latitude: float
    longitude: float
    postcode_district: str | None = None
    accessibility: frozenset[Accessibility] = frozenset()
    # Sessions held here; when empty, the service-wide sessions apply at this venue.
    sessions: tuple[Session, ...] = ()


@dataclass(frozen=True, slots=True)
class Cost:
    """What the person pays; amount 0 is free."""

    amount_pence: int = 0
    unit: CostUnit = CostUnit.SESSION

    @property
    def is_free(self) -> bool:
        return self.amount_pence == 0

    @property
    def per_session_pence(self) -> int:
        """The cost to compare with what a person can pay per session.

        A weekly charge is taken as one session a week and a monthly one as 52/12 weeks. Course
        and one-off fees are compared whole: their number of sessions is unknown, and a person
        who can spare £3 a session cannot necessarily find £30 up front.
        """
        if self.unit is CostUnit.MONTH:
            return round(self.amount_pence * 12 / 52)
        return self.amount_pence


@dataclass(frozen=True, slots=True)
class Service:
    """One service snapshot. `version` orders snapshots of the same service (newest wins)."""

    service_id: str
    name: str
    description: str = ""
    organisation: str = ""
    status: ServiceStatus = ServiceStatus.ACTIVE
    needs: frozenset[NeedCategory] = frozenset()
    delivery_modes: frozenset[DeliveryMode] = frozenset({DeliveryMode.IN_PERSON})
    venues: tuple[Venue, ...] = ()
    sessions: tuple[Session, ...] = ()
    minimum_age: int | None = None
    maximum_age: int | None = None
    # ISO 639 codes; empty means English only, which is what an unlabelled UK service offers.
    languages: frozenset[str] = frozenset()
    # Features of the service itself, wherever it runs (BSL interpreter, easy read, ...).
    accessibility: frozenset[Accessibility] = frozenset()
    capacity: CapacityStatus = CapacityStatus.CAPACITY
    # The waiting list (issue 17, service-changed v3): whole weeks someone joining now can expect to
    # wait (None: not known), and places still free this week (None: no weekly limit or not stated).
    wait_weeks: int | None = None
    places_remaining: int | None = None
    cost: Cost = field(default_factory=Cost)
    version: int = 0
    # Who it is for (issue 21): areas the people it serves live in (empty: anywhere), whatever
    # the delivery mode; eligibility codes; how people get in.
    areas: tuple[Area, ...] = ()
    eligibility: frozenset[EligibilityCode] = frozenset()
    condition_groups: frozenset[ConditionGroup] = frozenset()
    routes: frozenset[ReferralRoute] = frozenset()

    @property
    def is_active(self) -> bool:
        return self.status is ServiceStatus.ACTIVE

    @property
    def restricted(self) -> bool:
        """Restricted to some areas or people: the eligibility rules must look at it."""
        return bool(self.areas or self.eligibility)

    @property
    def spoken_languages(self) -> frozenset[str]:
        return self.languages or frozenset({ENGLISH})

    @property
    def remote_modes(self) -> frozenset[DeliveryMode]:
        return self.delivery_modes - {DeliveryMode.IN_PERSON}

    def sessions_at(self, venue: Venue | None) -> tuple[Session, ...]:
        """Sessions at a venue, or the service-wide ones for remote delivery."""
        if venue is not None and venue.sessions:
            return venue.sessions
        return self.sessions
