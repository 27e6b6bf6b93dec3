"""service-changed: the full snapshot of one community service, on a log-compacted topic.

A snapshot replaces everything consumers knew about the service: compaction keeps only the
latest per service id, and a consumer reading from the start rebuilds the directory. Withdrawn
services stay on the topic with status withdrawn (never a tombstone) so reports can still name
them. Service and venue details are organisational, not personal: names, postcodes and exact
coordinates of venues are allowed here.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from linkwork_contracts import topics
from linkwork_contracts.codes import (
    Accessibility,
    ConditionGroup,
    CostUnit,
    DayOfWeek,
    DeliveryMode,
    EligibilityCode,
    NeedCategory,
    ReferralRoute,
    ScheduleFrequency,
    ServiceStatus,
)
from linkwork_contracts.events.base import UNIQUE, Event, no_duplicates
from linkwork_contracts.events.person import Languages
from linkwork_contracts.geography import Latitude, Longitude, Lsoa, Postcode

Features = Annotated[tuple[Accessibility, ...], Field(json_schema_extra=UNIQUE), AfterValidator(no_duplicates)]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organisation(_Part):
    id: UUID
    name: str = Field(min_length=1, max_length=200)


class ServiceTaxonomyTerm(_Part):
    """An ORUK taxonomy term the service is classified under (any taxonomy)."""

    id: UUID
    name: str = Field(min_length=1, max_length=200)
    taxonomy: str = Field(min_length=1, max_length=200)


class ServiceLocation(_Part):
    """A venue where the service runs."""

    id: UUID
    name: str | None = Field(default=None, max_length=200)
    postcode: Postcode | None = None
    latitude: Latitude
    longitude: Longitude
    accessibility: Features = ()


class Schedule(_Part):
    """When sessions run, in ORUK/iCalendar terms: FREQ, INTERVAL, BYDAY, opens/closes."""

    freq: ScheduleFrequency = ScheduleFrequency.WEEKLY
    interval: int = Field(default=1, ge=1, le=12, description="2 with WEEKLY: fortnightly")
    byday: Annotated[
        tuple[DayOfWeek, ...],
        Field(min_length=1, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ]
    opens_at: time
    closes_at: time
    location_id: UUID | None = Field(default=None, description="None: every location or online")
    valid_from: date | None = None
    valid_to: date | None = None
    description: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.closes_at <= self.opens_at:
            raise ValueError(f"closes_at {self.closes_at} must be after opens_at {self.opens_at}")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class Cost(_Part):
    free: bool
    amount_pence: int | None = Field(default=None, ge=1)
    per: CostUnit | None = None
    description: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _free_or_priced(self) -> Self:
        if self.free and (self.amount_pence is not None or self.per is not None):
            raise ValueError("a free service has no amount_pence or per")
        if not self.free and (self.amount_pence is None or self.per is None):
            raise ValueError("a paid service needs amount_pence and per")
        return self


class Capacity(_Part):
    places_per_week: int | None = Field(default=None, ge=0, description="None: no fixed limit")
    places_remaining: int | None = Field(default=None, ge=0)
    waiting_list: bool = False

    @model_validator(mode="after")
    def _remaining_within_places(self) -> Self:
        if (
            self.places_per_week is not None
            and self.places_remaining is not None
            and self.places_remaining > self.places_per_week
        ):
            raise ValueError("places_remaining exceeds places_per_week")
        return self


class ServiceChangedV1(Event):
    """Everything matching and outcomes need to know about one service, as it is now."""

    TYPE: ClassVar[str] = "uk.linkwork.service.changed.v1"
    TOPIC: ClassVar[str] = topics.SERVICE_CHANGED
    KEY_FIELD: ClassVar[str] = "service_id"

    service_id: UUID
    revision: int = Field(ge=1, description="Grows with every change; ignore lower revisions")
    changed_at: AwareDatetime
    name: str = Field(min_length=1, max_length=200)
    organisation: Organisation
    status: ServiceStatus
    description: str = Field(default="", max_length=5000)
    need_categories: Annotated[tuple[NeedCategory, ...], Field(json_schema_extra=UNIQUE), AfterValidator(no_duplicates)]
    taxonomy_terms: tuple[ServiceTaxonomyTerm, ...] = ()
    delivery_modes: Annotated[
        tuple[DeliveryMode, ...],
        Field(min_length=1, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ]
    locations: tuple[ServiceLocation, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    cost: Cost
    min_age: int | None = Field(default=None, ge=0, le=130)
    max_age: int | None = Field(default=None, ge=0, le=130)
    accessibility: Features = Field(default=(), description="Features wherever it is delivered")
    languages: Languages = ("en",)
    capacity: Capacity = Capacity()
    referral_routes: Annotated[
        tuple[ReferralRoute, ...],
        Field(min_length=1, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ]
    last_verified_on: date | None = Field(description="When a curator last confirmed it runs")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if DeliveryMode.IN_PERSON in self.delivery_modes and not self.locations:
            raise ValueError("an in-person service needs at least one location")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
        location_ids = {loc.id for loc in self.locations}
        if len(location_ids) != len(self.locations):
            raise ValueError("two locations share an id")
        for schedule in self.schedules:
            if schedule.location_id is not None and schedule.location_id not in location_ids:
                raise ValueError(f"schedule location_id {schedule.location_id} is not a location")
        return self


# Bounds of a v2 snapshot, so that one service's event always fits in one Kafka record (1 MB by
# default): the directory's own model refuses anything larger (issue 15), and v2 states the same
# bounds in its schema. Worst case, measured by contracts/tests/test_service_areas.py.
MAX_LOCATIONS = 500
MAX_SCHEDULES = 500
MAX_LIST = 200
MAX_SERVICE_AREAS = 50
MAX_LSOAS = 2000  # across all of a service's areas: a large local authority has ~500
MAX_POLYGON_POSITIONS = 5000  # across all of a service's polygons: outlines, not survey data
MAX_RING_POSITIONS = 2000

POSTCODE_PREFIX_PATTERN = r"^[A-Z]{1,2}([0-9][A-Z0-9]?)?$"
# Local authority GSS codes: unitary (E06), district (E07), metropolitan (E08), London borough (E09),
# Welsh (W06), Scottish (S12), Northern Irish (N09) councils. Other GSS codes (LSOAs are E01) are not councils.
LOCAL_AUTHORITY_PATTERN = r"^(E0[6-9]|W06|S12|N09)[0-9]{6}$"


class _Area(_Part):
    name: str | None = Field(default=None, max_length=200, description="What to call it: Leeds")


class PostcodeArea(_Area):
    """A postcode area (LS) or district (LS6): people whose postcode district starts with it."""

    kind: Literal["postcode"] = "postcode"
    prefix: str = Field(pattern=POSTCODE_PREFIX_PATTERN, description="Postcode area (LS) or district (LS6)")


class LocalAuthorityArea(_Area):
    """A local authority by its ONS GSS code (E08000035 is Leeds)."""

    kind: Literal["local-authority"] = "local-authority"
    code: str = Field(pattern=LOCAL_AUTHORITY_PATTERN, description="ONS GSS code of the local authority")


class LsoaArea(_Area):
    """A list of Lower layer Super Output Areas (2021 codes)."""

    kind: Literal["lsoa"] = "lsoa"
    lsoas: Annotated[
        tuple[Lsoa, ...],
        Field(min_length=1, max_length=MAX_LSOAS, json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ]


Position = tuple[Longitude, Latitude]  # GeoJSON order: longitude first (RFC 7946 section 3.1.1)
LinearRing = Annotated[tuple[Position, ...], Field(min_length=4, max_length=MAX_RING_POSITIONS)]


class GeoJsonPolygon(_Part):
    """An RFC 7946 Polygon: the first ring is the outline, any further rings are holes."""

    type: Literal["Polygon"] = "Polygon"
    coordinates: Annotated[tuple[LinearRing, ...], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _closed(self) -> Self:
        for ring in self.coordinates:
            if ring[0] != ring[-1]:
                raise ValueError("a polygon ring must end where it starts (RFC 7946 linear ring)")
        return self


class PolygonArea(_Area):
    kind: Literal["polygon"] = "polygon"
    polygon: GeoJsonPolygon


ServiceArea = Annotated[PostcodeArea | LocalAuthorityArea | LsoaArea | PolygonArea, Field(discriminator="kind")]


class ServiceChangedV2(ServiceChangedV1):
    """v1 plus who the service is for (issue 21): service areas and coded eligibility.

    A service with `service_areas` serves only people living inside one of them, however it is
    delivered; empty means anywhere. `eligibility` codes come from the linkwork eligibility
    taxonomy (`codes.eligibility`); `eligibility_description` is the provider's own words beside
    them. Every list is bounded, so the event always fits in one Kafka record.
    """

    TYPE: ClassVar[str] = "uk.linkwork.service.changed.v2"

    taxonomy_terms: Annotated[tuple[ServiceTaxonomyTerm, ...], Field(max_length=MAX_LIST)] = ()
    locations: Annotated[tuple[ServiceLocation, ...], Field(max_length=MAX_LOCATIONS)] = ()
    schedules: Annotated[tuple[Schedule, ...], Field(max_length=MAX_SCHEDULES)] = ()
    service_areas: Annotated[tuple[ServiceArea, ...], Field(max_length=MAX_SERVICE_AREAS)] = Field(
        default=(), description="Where the people it serves must live; empty: anywhere"
    )
    eligibility: Annotated[
        tuple[EligibilityCode, ...],
        Field(json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ] = Field(default=(), description="Codes of the linkwork eligibility taxonomy; empty: anyone")
    condition_groups: Annotated[
        tuple[ConditionGroup, ...],
        Field(json_schema_extra=UNIQUE),
        AfterValidator(no_duplicates),
    ] = Field(default=(), description="With eligibility condition-group: the conditions it is for")
    eligibility_description: str | None = Field(
        default=None, max_length=2000, description="The provider's own words (ORUK eligibility_description)"
    )

    @model_validator(mode="after")
    def _areas_and_codes(self) -> Self:
        lsoas = sum(len(area.lsoas) for area in self.service_areas if isinstance(area, LsoaArea))
        if lsoas > MAX_LSOAS:
            raise ValueError(f"service_areas: at most {MAX_LSOAS} LSOAs in all")
        positions = sum(
            len(ring)
            for area in self.service_areas
            if isinstance(area, PolygonArea)
            for ring in area.polygon.coordinates
        )
        if positions > MAX_POLYGON_POSITIONS:
            raise ValueError(f"service_areas: at most {MAX_POLYGON_POSITIONS} polygon positions in all")
        if EligibilityCode.RESIDENTS in self.eligibility and not self.service_areas:
            raise ValueError("eligibility residents needs at least one service area")
        if (EligibilityCode.CONDITION_GROUP in self.eligibility) != bool(self.condition_groups):
            raise ValueError("eligibility condition-group and condition_groups go together")
        if {EligibilityCode.WOMEN, EligibilityCode.MEN} <= set(self.eligibility):
            raise ValueError("eligibility women and men exclude each other: leave both out")
        return self


MAX_WAIT_WEEKS = 104


class WaitingList(Capacity):
    """v2's capacity plus the waiting list as it stands (issue 17).

    `waiting_list` keeps its v2 meaning (the service keeps a list when it is full); `waiting` says how
    many people are on it. `estimated_wait_weeks` is for someone joining now: (people ahead + 1)
    divided by the rate people start, the rate being the service's own starts per week over its
    recent weeks (`wait_basis` observed) or, without enough of those, its places per week (declared);
    0 with places free and nobody queuing (places-free); null when nothing supports an estimate.
    """

    waiting: int = Field(default=0, ge=0, le=100_000, description="People on the waiting list now")
    estimated_wait_weeks: int | None = Field(
        default=None, ge=0, le=MAX_WAIT_WEEKS, description="Whole weeks for someone joining now; null: unknown"
    )
    wait_basis: Literal["places-free", "observed", "declared"] | None = Field(
        default=None, description="What the estimate rests on"
    )
    starts_per_week: float | None = Field(
        default=None, ge=0, le=100_000, description="The rate the estimate used (people starting per week)"
    )

    @model_validator(mode="after")
    def _estimate_has_basis(self) -> Self:
        if (self.estimated_wait_weeks is None) != (self.wait_basis is None):
            raise ValueError("estimated_wait_weeks and wait_basis go together")
        return self


class ServiceChangedV3(ServiceChangedV2):
    """v2 with a real waiting list (issue 17): queue length and an estimated wait in `capacity`."""

    TYPE: ClassVar[str] = "uk.linkwork.service.changed.v3"

    capacity: WaitingList = WaitingList()
