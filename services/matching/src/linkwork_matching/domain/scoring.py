"""Soft scoring of eligible offers, one at a time: the reference for the vectorised index.

score = coverage bonus + text relevance + distance decay + schedule fit + effectiveness
        - caveat penalties,
each component in [0, 1] times its weight; the weights sum to 1, so scores are at most 1.
Effectiveness in [-1, 1] (0 = no evidence) enters as (1 + e) / 2: a new provider sits midway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from linkwork_contracts.codes import CapacityStatus

from linkwork_matching.domain.constraints import NO_MAXIMUM_AGE, NO_MINIMUM_AGE
from linkwork_matching.domain.offer import Offer
from linkwork_matching.domain.person import Person

UNKNOWN_SCHEDULE_FIT = 0.5


@dataclass(frozen=True, slots=True)
class Weights:
    coverage: float = 0.10  # the offer also meets other needs of the person (up to two more)
    text: float = 0.25  # interests found in the name and description
    distance: float = 0.25
    schedule: float = 0.15
    effect: float = 0.25
    # Distance appeal of taking part online or by phone: about that of a venue one decay
    # length away. Being with people in a room matters for most needs social prescribing meets.
    remote_appeal: float = 0.4
    text_half: float = 2.0  # BM25 score at which the text component reaches one half
    # A waiting list costs its estimated wait, linearly to a cap (issue 17): each week as much as a
    # venue ~0.5 km further away, up to 12 weeks; a list whose wait is unknown costs waitlist_penalty,
    # as every list did before waits were known (about 5 weeks' worth).
    waitlist_penalty: float = 0.10
    wait_per_week: float = 0.02
    wait_cap_weeks: int = 12
    assessment_penalty: float = 0.05
    age_check_penalty: float = 0.05  # the service's ages cover only part of the person's band


def text_component(bm25: float, weights: Weights) -> float:
    return bm25 / (bm25 + weights.text_half)


def distance_component(distance_km: float | None, decay_km: float, weights: Weights) -> float:
    if distance_km is None:
        return weights.remote_appeal
    return math.exp(-distance_km / decay_km)


def schedule_component(available: int, session_slots: int) -> float:
    """1 when a session falls when the person is free, 0 when none does, 0.5 when unknown."""
    if not available or not session_slots:
        return UNKNOWN_SCHEDULE_FIT
    return 1.0 if available & session_slots else 0.0


def age_needs_check(person: Person, minimum: int | None, maximum: int | None) -> bool:
    low, high = person.age_range
    lowest = minimum if minimum is not None else NO_MINIMUM_AGE
    highest = maximum if maximum is not None else NO_MAXIMUM_AGE
    return low < lowest or high > highest


def wait_penalty(capacity: CapacityStatus, wait_weeks: int | None, weights: Weights) -> float:
    """What queuing costs an offer: nothing with a place now, its weeks of wait (capped), or the flat
    penalty of a waiting list whose wait nobody can estimate."""
    if capacity is not CapacityStatus.WAITLIST:
        return 0.0
    if wait_weeks is None:
        return weights.waitlist_penalty
    return weights.wait_per_week * min(wait_weeks, weights.wait_cap_weeks)


def caveat_penalty(person: Person, offer: Offer, weights: Weights) -> float:
    service = offer.service
    penalty = wait_penalty(service.capacity, service.wait_weeks, weights)
    if service.capacity is CapacityStatus.ADDITIONAL_ASSESSMENT_REQUIRED:
        penalty += weights.assessment_penalty
    if age_needs_check(person, service.minimum_age, service.maximum_age):
        penalty += weights.age_check_penalty
    return penalty


def score(
    *,
    other_needs_met: int,
    bm25: float,
    distance_km: float | None,
    decay_km: float,
    available: int,
    session_slots: int,
    effect: float,
    penalty: float,
    weights: Weights,
) -> float:
    return (
        weights.coverage * min(other_needs_met, 2) / 2
        + weights.text * text_component(bm25, weights)
        + weights.distance * distance_component(distance_km, decay_km, weights)
        + weights.schedule * schedule_component(available, session_slots)
        + weights.effect * (1 + effect) / 2
        - penalty
    )
