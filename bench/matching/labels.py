"""Relevance labels: how a link worker would judge one service for one persona, graded 0-3.

Written from the persona's exact facts and the service's listing, without the ranker's code: its
own distance formula and thresholds, the person's exact age (the ranker sees only a band), their
exact home (the ranker sees it rounded to about 1 km), and keyword lists for interests instead of
the ranker's stemmer and BM25.

0  not suitable: not for any of their needs, or something rules it out (too far for how they travel,
   the wrong age, a barrier to access, language, full with no waiting list they would accept, cost
   above what they can pay);
1  suitable;
+1 it is about something they said they enjoy;
+1 it runs at a time they said they are free (or they said any time suits).
"""

from __future__ import annotations

import math

from linkwork_contracts.codes import (
    Accessibility,
    CapacityStatus,
    CostUnit,
    DeliveryMode,
    PartOfDay,
    ServiceStatus,
    TravelMode,
)
from linkwork_matching.domain.service import Service, Session

from bench.matching.personas import Persona

# How far a link worker would ask someone to go for a weekly activity, by how they get about.
COMFORTABLE_KM = {TravelMode.WALK: 1.5, TravelMode.PUBLIC_TRANSPORT: 8.0, TravelMode.CAR: 20.0}
# Features that only matter in a building; on the phone or online they are not barriers.
BUILDING_ONLY = {Accessibility.STEP_FREE_ACCESS, Accessibility.SEATING_AVAILABLE}
KEYWORDS = {
    "walking": ("walk",),
    "gardening": ("garden", "allotment", "growing"),
    "singing": ("sing", "choir", "songs"),
    "birds": ("bird", "wildlife"),
    "cooking": ("cook", "recipe", "meal"),
    "knitting": ("knit", "crochet"),
    "painting": ("paint", "watercolour", "art class"),
    "football": ("football",),
    "music": ("music", "choir", "songs"),
    "computers": ("computer", "tablet", "internet"),
    "nature": ("nature", "wildlife", "garden", "park"),
    "crafts": ("craft", "knit"),
    "meditation": ("meditation", "mindful"),
    "chat": ("chat", "natter", "company"),
}


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular approximation: plenty for distances within a city."""
    mean = math.radians((lat1 + lat2) / 2)
    dx = math.radians(lon2 - lon1) * math.cos(mean)
    dy = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(dx, dy)


def _part(session: Session) -> PartOfDay:
    hour = session.starts.hour
    return PartOfDay.MORNING if hour < 12 else PartOfDay.AFTERNOON if hour < 17 else PartOfDay.EVENING


def _affordable(persona: Persona, service: Service) -> bool:
    if persona.budget_pence is None or service.cost.amount_pence == 0:
        return True
    per_session = float(service.cost.amount_pence)
    if service.cost.unit is CostUnit.MONTH:
        per_session = service.cost.amount_pence / 4.33
    return per_session <= persona.budget_pence


def _speaks(persona: Persona, service: Service) -> bool:
    offered = set(service.languages) or {"en"}
    wanted = set(persona.languages) - ({"en"} if persona.interpreter else set())
    return bool(offered & (wanted or persona.languages))


def ways_to_take_part(persona: Persona, service: Service) -> list[tuple[Session, ...]]:
    """The sessions of each way the persona could actually take part (a venue, or remotely)."""
    ways = []
    if DeliveryMode.IN_PERSON in service.delivery_modes:
        reach = COMFORTABLE_KM[persona.travel]
        for venue in service.venues:
            near = km_between(persona.latitude, persona.longitude, venue.latitude, venue.longitude) <= reach
            if near and persona.accessibility <= (venue.accessibility | service.accessibility):
                ways.append(venue.sessions or service.sessions)
    remote = service.delivery_modes & {DeliveryMode.ONLINE, DeliveryMode.TELEPHONE}
    if remote and persona.remote_ok and persona.accessibility - BUILDING_ONLY <= service.accessibility:
        ways.append(service.sessions)
    return ways


def grade(persona: Persona, service: Service) -> int:
    if service.status is not ServiceStatus.ACTIVE or not set(persona.needs) & service.needs:
        return 0
    if service.minimum_age is not None and persona.age < service.minimum_age:
        return 0
    if service.maximum_age is not None and persona.age > service.maximum_age:
        return 0
    if service.capacity is CapacityStatus.NO_CAPACITY:
        return 0
    if service.capacity is CapacityStatus.WAITLIST and not persona.waiting_list_ok:
        return 0
    if not _affordable(persona, service) or not _speaks(persona, service):
        return 0
    ways = ways_to_take_part(persona, service)
    if not ways:
        return 0
    text = f"{service.name} {service.description}".lower()
    enjoys = any(word in text for interest in persona.interests for word in KEYWORDS[interest])
    fits = not persona.free or any((s.day, _part(s)) in persona.free for sessions in ways for s in sessions)
    return 1 + int(enjoys) + int(fits)
