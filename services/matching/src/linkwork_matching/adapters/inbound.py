"""Contract events into domain objects: a service snapshot into a Service, a referral into a Person."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import time
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from linkwork_contracts.codes import (
    Accessibility,
    CapacityStatus,
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
from linkwork_contracts.events import ReferralCreatedV1, ServiceChangedV1, ServiceChangedV2
from linkwork_contracts.geography import postcode_district

from linkwork_matching.domain.eligibility import Area, LocalAuthority, LsoaSet, Polygon, PostcodePrefix
from linkwork_matching.domain.person import Location, Person
from linkwork_matching.domain.service import ENGLISH, Cost, Service, Session, Venue

E = TypeVar("E", bound=Enum)


def _members(codes: type[E]) -> Callable[[str], E]:
    """`codes(value)` by dictionary lookup: an Enum call costs a microsecond, and loading the index
    makes a dozen per service. An unknown value still raises ValueError."""
    by_value: dict[str, E] = {member.value: member for member in codes}

    def member(value: str) -> E:
        try:
            return by_value[value]
        except (KeyError, TypeError):
            return codes(value)  # raises as the Enum would (or finds an alias it accepts)

    return member


_ACCESSIBILITY = _members(Accessibility)
_DAY = _members(DayOfWeek)
_FREQUENCY = _members(ScheduleFrequency)
_NEED = _members(NeedCategory)
_MODE = _members(DeliveryMode)
_STATUS = _members(ServiceStatus)


def _sessions(schedules: list[dict[str, Any]], location_id: str | None) -> tuple[Session, ...]:
    """One session per weekday of each schedule at `location_id` (None: service-wide).

    Validity dates are not applied: what a snapshot means must not depend on the day it is read,
    or a rebuilt read model would differ from the one it replaces.
    """
    return tuple(
        Session(
            _DAY(day),
            time.fromisoformat(schedule["opens_at"]),
            _FREQUENCY(schedule.get("freq", ScheduleFrequency.WEEKLY)),
            schedule.get("interval", 1),
        )
        for schedule in schedules
        if _id(schedule.get("location_id")) == location_id
        for day in schedule["byday"]
    )


def _id(value: str | None) -> str | None:
    """UUIDs in canonical form: a producer may write them in capitals."""
    if value is None:
        return None
    # Validated as a UUID, 36 characters can only be the hyphenated form: canonical once in lower case.
    if len(value) == 36 and value == value.lower():
        return value
    return str(UUID(value))


def capacity_status(capacity: Mapping[str, Any]) -> CapacityStatus:
    """What a newcomer meets: full with no list, a queue (full with a list, or people already queuing), or a place."""
    if capacity.get("places_remaining") == 0:
        return CapacityStatus.WAITLIST if capacity.get("waiting_list") else CapacityStatus.NO_CAPACITY
    if capacity.get("waiting", 0) > 0:
        return CapacityStatus.WAITLIST
    return CapacityStatus.CAPACITY


def wait_weeks(capacity: Mapping[str, Any]) -> int | None:
    """The directory's estimate for someone joining now (v3); a v1/v2 snapshot states none."""
    weeks = capacity.get("estimated_wait_weeks")
    return None if weeks is None else int(weeks)


def _area(area: Mapping[str, Any]) -> Area:
    """One service area of a v2 snapshot (its `kind` says which)."""
    name = area.get("name")
    match area["kind"]:
        case "postcode":
            return PostcodePrefix(area["prefix"], name)
        case "local-authority":
            return LocalAuthority(area["code"], name)
        case "lsoa":
            return LsoaSet(frozenset(area["lsoas"]), name)
        case _:
            rings = tuple(tuple((lon, lat) for lon, lat in ring) for ring in area["polygon"]["coordinates"])
            return Polygon(rings, name)


def service_from_snapshot(data: Mapping[str, Any]) -> Service:
    """A service-changed event's JSON data, already validated against the contract, as a Service.

    Read from the JSON rather than the model because the index loads every snapshot of the read
    model at start-up, and validating each again would double the cost of a rebuild. A field the
    producer left out takes the domain's default, which means what the contract's default means.
    """
    schedules = data.get("schedules", [])
    venues = tuple(
        Venue(
            venue_id=str(_id(location["id"])),
            name=location.get("name") or data["name"],
            latitude=location["latitude"],
            longitude=location["longitude"],
            postcode_district=postcode_district(location["postcode"]) if location.get("postcode") else None,
            accessibility=frozenset(map(_ACCESSIBILITY, location.get("accessibility", ()))),
            sessions=_sessions(schedules, _id(location["id"])),
        )
        for location in data.get("locations", ())
    )
    cost = data["cost"]
    return Service(
        service_id=str(_id(data["service_id"])),
        name=data["name"],
        description=data.get("description", ""),
        organisation=data["organisation"]["name"],
        status=_STATUS(data["status"]),
        needs=frozenset(map(_NEED, data["need_categories"])),
        delivery_modes=frozenset(map(_MODE, data["delivery_modes"])),
        venues=venues,
        sessions=_sessions(schedules, None),
        minimum_age=data.get("min_age"),
        maximum_age=data.get("max_age"),
        languages=frozenset(data.get("languages") or (ENGLISH,)),
        accessibility=frozenset(map(_ACCESSIBILITY, data.get("accessibility", ()))),
        capacity=capacity_status(data.get("capacity", {})),
        wait_weeks=wait_weeks(data.get("capacity", {})),
        places_remaining=data.get("capacity", {}).get("places_remaining"),
        cost=Cost() if cost["free"] else Cost(cost["amount_pence"], CostUnit(cost["per"])),
        version=data["revision"],
        # v2 (issue 21); a v1 snapshot has none of these, which means anyone, anywhere.
        areas=tuple(_area(area) for area in data.get("service_areas", ())),
        eligibility=frozenset(map(EligibilityCode, data.get("eligibility", ()))),
        condition_groups=frozenset(map(ConditionGroup, data.get("condition_groups", ()))),
        routes=frozenset(map(ReferralRoute, data.get("referral_routes", ()))),
    )


def service_from_event(event: ServiceChangedV1 | ServiceChangedV2) -> Service:
    return service_from_snapshot(event.model_dump(mode="json"))


def person_from_referral(event: ReferralCreatedV1) -> Person:
    person, preferences = event.person, event.preferences
    location = person.location
    return Person(
        needs=tuple(event.needs),
        age_band=person.age_band,
        location=None if location is None else Location(location.latitude, location.longitude),
        postcode_district=person.postcode_district,
        lsoa=person.lsoa,
        sex=person.sex,
        travel_mode=preferences.travel_mode,
        max_travel_minutes=preferences.max_travel_minutes,
        delivery_modes=frozenset(preferences.delivery_modes),
        accessibility_needs=frozenset(person.accessibility_needs),
        languages=frozenset(person.languages),
        interpreter_needed=person.interpreter_needed,
        interests=tuple(preferences.interests),
        availability=frozenset((DayOfWeek(slot.day), slot.part_of_day) for slot in preferences.availability),
        max_cost_pence=preferences.max_cost_pence,
    )
