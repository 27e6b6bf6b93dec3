"""Contract events into domain objects: a service snapshot into a Service, a referral into a Person."""

from __future__ import annotations

from linkwork_contracts.codes import CapacityStatus, DayOfWeek
from linkwork_contracts.events import ReferralCreatedV1, Schedule, ServiceChangedV1
from linkwork_contracts.geography import postcode_district

from linkwork_matching.domain.person import Location, Person
from linkwork_matching.domain.service import Cost, Service, Session, Venue


def _sessions(schedules: list[Schedule]) -> tuple[Session, ...]:
    """One session per weekday of each schedule. Validity dates are not applied: a snapshot's
    meaning must not depend on the day it is read, or a rebuilt read model would differ."""
    return tuple(Session(day, schedule.opens_at, schedule.freq, schedule.interval)
                 for schedule in schedules for day in schedule.byday)


def capacity_status(event: ServiceChangedV1) -> CapacityStatus:
    capacity = event.capacity
    if capacity.places_remaining == 0:
        return CapacityStatus.WAITLIST if capacity.waiting_list else CapacityStatus.NO_CAPACITY
    return CapacityStatus.CAPACITY


def service_from_event(event: ServiceChangedV1) -> Service:
    venues = tuple(
        Venue(
            venue_id=str(location.id), name=location.name or event.name,
            latitude=location.latitude, longitude=location.longitude,
            postcode_district=postcode_district(location.postcode) if location.postcode else None,
            accessibility=frozenset(location.accessibility),
            sessions=_sessions([s for s in event.schedules if s.location_id == location.id]),
        )
        for location in event.locations
    )
    cost = Cost() if event.cost.free else Cost(event.cost.amount_pence or 0, event.cost.per or Cost().unit)
    return Service(
        service_id=str(event.service_id), name=event.name, description=event.description,
        organisation=event.organisation.name, status=event.status,
        needs=frozenset(event.need_categories), delivery_modes=frozenset(event.delivery_modes),
        venues=venues, sessions=_sessions([s for s in event.schedules if s.location_id is None]),
        minimum_age=event.min_age, maximum_age=event.max_age, languages=frozenset(event.languages),
        accessibility=frozenset(event.accessibility), capacity=capacity_status(event), cost=cost,
        version=event.revision,
    )


def person_from_referral(event: ReferralCreatedV1) -> Person:
    person, preferences = event.person, event.preferences
    location = person.location
    return Person(
        needs=tuple(event.needs), age_band=person.age_band,
        location=None if location is None else Location(location.latitude, location.longitude),
        postcode_district=person.postcode_district, travel_mode=preferences.travel_mode,
        max_travel_minutes=preferences.max_travel_minutes,
        delivery_modes=frozenset(preferences.delivery_modes),
        accessibility_needs=frozenset(person.accessibility_needs),
        languages=frozenset(person.languages), interpreter_needed=person.interpreter_needed,
        interests=tuple(preferences.interests),
        availability=frozenset((DayOfWeek(slot.day), slot.part_of_day)
                               for slot in preferences.availability),
        max_cost_pence=preferences.max_cost_pence,
    )
