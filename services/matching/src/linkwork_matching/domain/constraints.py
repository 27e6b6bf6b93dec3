"""Hard constraints, one offer at a time: the reference the vectorised index must agree with.

Each check either passes or names the rule that excluded the offer, in words a link worker can
read ("needs step-free access; the venue has none listed"). The index answers the same questions
for thousands of offers at once; a test holds the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from linkwork_contracts.codes import CapacityStatus, NeedCategory

from linkwork_matching.domain.eligibility import Restriction, Verdict, restriction
from linkwork_matching.domain.geo import distance_km
from linkwork_matching.domain.offer import Offer
from linkwork_matching.domain.person import Person

NO_MINIMUM_AGE = 0
NO_MAXIMUM_AGE = 200


class Constraint(StrEnum):
    ACTIVE = "active"
    NEED = "need"
    AGE = "age"
    DELIVERY = "delivery"
    REACH = "reach"
    ACCESSIBILITY = "accessibility"
    LANGUAGE = "language"
    CAPACITY = "capacity"
    COST = "cost"
    AREA = "area"
    ELIGIBILITY = "eligibility"


@dataclass(frozen=True, slots=True)
class Exclusion:
    constraint: Constraint
    detail: str
    # True when the person may qualify but nothing recorded says so: "check eligibility".
    unsure: bool = False


def who_for(person: Person, offer: Offer) -> Restriction | None:
    """The service-area or eligibility rule that keeps this service from the person, if any."""
    service = offer.service
    if not service.restricted:
        return None
    return restriction(
        service.areas,
        service.eligibility,
        service.condition_groups,
        service.service_id,
        person.place,
        person.circumstances,
    )


def offer_distance_km(person: Person, offer: Offer) -> float | None:
    """Distance from the person's approximate home to the venue; None for remote offers."""
    if offer.venue is None or person.location is None:
        return None
    return distance_km(person.location.latitude, person.location.longitude, offer.venue.latitude, offer.venue.longitude)


def age_overlaps(person: Person, minimum: int | None, maximum: int | None) -> bool:
    """Some age in the person's band is eligible. Only the band is known, so a 55-64 person may
    see a 60+ group (with a caveat to check); nobody sees a group their whole band is outside."""
    low, high = person.age_range
    return (minimum or NO_MINIMUM_AGE) <= high and (maximum if maximum is not None else NO_MAXIMUM_AGE) >= low


def check(person: Person, offer: Offer, need: NeedCategory, reach_km: float) -> Exclusion | None:
    """The first hard constraint the offer fails for this person and need, or None if eligible."""
    service = offer.service
    if not service.is_active:
        return Exclusion(Constraint.ACTIVE, "the service has been withdrawn")
    if need not in service.needs:
        return Exclusion(Constraint.NEED, f"the service is not listed for {need.value}")
    barred = who_for(person, offer)
    if barred is not None:
        return Exclusion(Constraint(barred.rule), barred.detail, unsure=barred.verdict is Verdict.UNKNOWN)
    if not age_overlaps(person, service.minimum_age, service.maximum_age):
        return Exclusion(Constraint.AGE, "the person's age band is outside the service's ages")
    acceptable = {mode for mode in offer.modes if person.accepts_mode(mode)}
    if not acceptable:
        return Exclusion(Constraint.DELIVERY, "the person does not take part this way")
    if offer.venue is not None:
        distance = offer_distance_km(person, offer)
        if distance is None:
            return Exclusion(Constraint.REACH, "the person's location is unknown")
        if distance > reach_km:
            return Exclusion(Constraint.REACH, f"{distance:.1f} km away, beyond {reach_km:.1f} km")
    missing = person.accessibility_needs - offer.accessibility
    if missing:
        names = ", ".join(sorted(feature.value for feature in missing))
        return Exclusion(Constraint.ACCESSIBILITY, f"does not offer {names}")
    if not person.usable_languages & service.spoken_languages:
        return Exclusion(Constraint.LANGUAGE, "not offered in a language the person uses")
    if service.capacity is CapacityStatus.NO_CAPACITY:
        return Exclusion(Constraint.CAPACITY, "full, with no waiting list")
    if service.capacity is CapacityStatus.WAITLIST and not person.accepts_waiting_list:
        return Exclusion(Constraint.CAPACITY, "only a waiting list, which the person does not want")
    if person.max_cost_pence is not None and service.cost.per_session_pence > person.max_cost_pence:
        return Exclusion(Constraint.COST, "costs more than the person can pay")
    return None
