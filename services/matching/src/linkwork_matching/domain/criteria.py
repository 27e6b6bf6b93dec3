"""A person's constraints and preferences compiled once into the masks the index filters with."""

from __future__ import annotations

from dataclasses import dataclass

from linkwork_contracts.codes import DeliveryMode

from linkwork_matching.domain.encoding import (
    LanguageBits,
    access_mask,
    mode_mask,
    need_mask,
    slots_mask,
)
from linkwork_matching.domain.geo import TravelPolicy
from linkwork_matching.domain.person import Person, Slot
from linkwork_matching.domain.text import tokens


@dataclass(frozen=True, slots=True)
class Filters:
    """A link worker's own narrowing when exploring options (POST /match)."""

    # Only offers with a session in one of these slots.
    required_slots: frozenset[Slot] = frozenset()
    # Overrides the reach worked out from the person's travel mode and time.
    max_distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class Criteria:
    person: Person
    age_low: int
    age_high: int
    modes: int
    access: int
    languages: int
    languages_overflowed: bool
    available: int
    required_slots: int
    needs: int
    reach_km: float
    decay_km: float
    query_terms: tuple[str, ...]


def compile_criteria(
    person: Person,
    languages: LanguageBits,
    travel: TravelPolicy,
    filters: Filters = Filters(),
) -> Criteria:
    low, high = person.age_range
    accepted = person.delivery_modes or frozenset(DeliveryMode)
    language_mask, overflowed = languages.lookup(person.usable_languages)
    reach = travel.reach_km(person.travel_mode, person.max_travel_minutes)
    if filters.max_distance_km is not None:
        reach = filters.max_distance_km
    terms = tuple(term for interest in person.interests for term in tokens(interest))
    return Criteria(
        person=person,
        age_low=low,
        age_high=high,
        modes=mode_mask(accepted),
        access=access_mask(person.accessibility_needs),
        languages=language_mask,
        languages_overflowed=overflowed,
        available=slots_mask(person.availability),
        required_slots=slots_mask(filters.required_slots),
        needs=need_mask(person.needs),
        reach_km=reach,
        decay_km=travel.decay_km(reach),
        query_terms=terms,
    )
