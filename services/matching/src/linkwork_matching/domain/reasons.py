"""Plain-language reasons for one suggestion, each built from a fact of the service or person.

"walking group, 1.2 km away, free, Tuesdays 10:00 fits mornings, for 60+, step-free access":
nothing here is inferred or rounded beyond what the words claim (distances to 0.1 km, counts
exact), so a link worker can read them out and rely on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from linkwork_contracts.codes import NEED_TAXONOMY_TERMS, CapacityStatus, DeliveryMode, EligibilityCode, NeedCategory

from linkwork_matching.domain.effectiveness import OutcomeTally
from linkwork_matching.domain.eligibility import area_names, code_reason, route_reason
from linkwork_matching.domain.offer import Offer
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.scoring import age_needs_check
from linkwork_matching.domain.service import DAYS, Service
from linkwork_matching.domain.text import tokens
from linkwork_matching.domain.wording import (
    FEATURES,
    age_words,
    cost_words,
    language_name,
    listing,
    session_words,
    wait_words,
)

# Below this many outcomes a record says too little to read out.
MIN_OUTCOMES_TO_CITE = 3


class ReasonKind(StrEnum):
    NEED = "need"
    ALSO_MEETS = "also-meets"
    DISTANCE = "distance"
    DELIVERY = "delivery"
    COST = "cost"
    SCHEDULE = "schedule"
    AGE = "age"
    ACCESSIBILITY = "accessibility"
    LANGUAGE = "language"
    INTERESTS = "interests"
    CAPACITY = "capacity"
    EVIDENCE = "evidence"
    ELIGIBILITY = "eligibility"  # why the person qualifies for a restricted service (issue 21)
    ROUTE = "route"  # how the person gets in


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    text: str


def need_words(need: NeedCategory) -> str:
    name = NEED_TAXONOMY_TERMS[need].name
    return name[0].lower() + name[1:]


@lru_cache(maxsize=8192)
def _words(name: str, description: str) -> frozenset[str]:
    """A service's words, kept for the services suggested most often."""
    return frozenset(tokens(f"{name}\n{description}"))


def matched_interests(person: Person, offer: Offer) -> list[str]:
    words = _words(offer.service.name, offer.service.description)
    return [tag for tag in person.interests if any(t in words for t in tokens(tag))]


def _schedule(person: Person, offer: Offer) -> Reason | None:
    sessions = sorted(offer.sessions, key=lambda s: (DAYS.index(s.day), s.starts))
    if not sessions:
        return None
    if not person.availability:
        return Reason(ReasonKind.SCHEDULE, ", ".join(session_words(s) for s in sessions[:2]))
    for session in sessions:
        part = session.part_of_day
        if part is not None and (session.day, part) in person.availability:
            return Reason(ReasonKind.SCHEDULE, f"{session_words(session)} fits {part.value}s")
    return Reason(ReasonKind.SCHEDULE, f"{session_words(sessions[0])}, not a time the person said they are free")


def _place(person: Person, offer: Offer, distance_km: float | None) -> Reason:
    if offer.venue is not None and distance_km is not None:
        return Reason(ReasonKind.DISTANCE, f"{distance_km:.1f} km away")
    modes = [m for m in (DeliveryMode.ONLINE, DeliveryMode.TELEPHONE) if m in offer.modes and person.accepts_mode(m)]
    words = {DeliveryMode.ONLINE: "online", DeliveryMode.TELEPHONE: "by telephone"}
    return Reason(ReasonKind.DELIVERY, listing([words[m] for m in modes]))


def qualification(service: Service) -> str | None:
    """Why a person offered a restricted service qualifies: only people who do are offered it."""
    parts = []
    if service.areas:
        parts.append(f"for {area_names(service.areas)} residents; the person lives there")
    codes = sorted(service.eligibility - {EligibilityCode.RESIDENTS})
    if codes:
        parts.append(
            listing([code_reason(code, service.condition_groups) for code in codes]) + "; the person qualifies"
        )
    return "; ".join(parts) or None


def capacity_words(capacity: CapacityStatus, wait_weeks: int | None, places_remaining: int | None) -> str | None:
    """ "about 3 weeks' wait", "places free this week", or the plain caveat when nothing more is known."""
    if capacity is CapacityStatus.WAITLIST:
        return "waiting list" if wait_weeks is None else f"waiting list: {wait_words(wait_weeks)}"
    if capacity is CapacityStatus.ADDITIONAL_ASSESSMENT_REQUIRED:
        return "the provider assesses people first"
    if places_remaining:
        return "1 place free this week" if places_remaining == 1 else f"{places_remaining} places free this week"
    return None


def _evidence(tally: OutcomeTally | None) -> list[Reason]:
    if tally is None:
        return []
    reasons = []
    if tally.outcomes >= MIN_OUTCOMES_TO_CITE:
        reasons.append(Reason(ReasonKind.EVIDENCE, f"{tally.attended} of {tally.outcomes} people referred took part"))
    if tally.measured >= MIN_OUTCOMES_TO_CITE:
        mean = tally.wellbeing_change / tally.measured
        direction = "up" if mean >= 0 else "down"
        reasons.append(
            Reason(
                ReasonKind.EVIDENCE,
                f"wellbeing {direction} {abs(mean):.1f} points on average for {tally.measured} people",
            )
        )
    return reasons


def explain(
    person: Person,
    need: NeedCategory,
    also_meets: tuple[NeedCategory, ...],
    offer: Offer,
    distance_km: float | None,
    tally: OutcomeTally | None = None,
) -> tuple[Reason, ...]:
    service = offer.service
    reasons = [Reason(ReasonKind.NEED, f"helps with {need_words(need)}")]
    # Second, so it survives clipping: a link worker asks "can they use it?" before anything else.
    qualifies = qualification(service)
    if qualifies is not None:
        reasons.append(Reason(ReasonKind.ELIGIBILITY, qualifies))
    if also_meets:
        reasons.append(
            Reason(ReasonKind.ALSO_MEETS, "also helps with " + " and ".join(need_words(n) for n in also_meets))
        )
    reasons.append(_place(person, offer, distance_km))
    # Right after where: "can they start soon?" decides as much as the rest (issue 17).
    capacity = capacity_words(service.capacity, service.wait_weeks, service.places_remaining)
    if capacity is not None:
        reasons.append(Reason(ReasonKind.CAPACITY, capacity))
    route = route_reason(service.routes)
    if route is not None:
        reasons.append(Reason(ReasonKind.ROUTE, route))
    reasons.append(Reason(ReasonKind.COST, cost_words(service.cost)))
    schedule = _schedule(person, offer)
    if schedule is not None:
        reasons.append(schedule)
    ages = age_words(service.minimum_age, service.maximum_age)
    if ages is not None:
        if age_needs_check(person, service.minimum_age, service.maximum_age) and person.age_band:
            ages += f" (check age: the person is {person.age_band.value})"
        reasons.append(Reason(ReasonKind.AGE, ages))
    # Taking part from home needs no step-free venue: only cite what the provider supplies.
    supplied = offer.accessibility if offer.venue is not None else service.accessibility
    features = sorted(person.accessibility_needs & supplied, key=list(FEATURES).index)
    if features:
        reasons.append(Reason(ReasonKind.ACCESSIBILITY, ", ".join(FEATURES[f] for f in features)))
    spoken = sorted(person.usable_languages & service.spoken_languages - {"en"})
    if spoken:
        reasons.append(Reason(ReasonKind.LANGUAGE, "in " + listing([language_name(code) for code in spoken])))
    interests = matched_interests(person, offer)
    if interests:
        reasons.append(Reason(ReasonKind.INTERESTS, "matches interests: " + ", ".join(interests)))
    return (*reasons, *_evidence(tally))
