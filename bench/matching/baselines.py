"""Simple rankers to beat: what a directory search by need gives a link worker today."""

from __future__ import annotations

from linkwork_matching.domain.geo import distance_km
from linkwork_matching.domain.index import text_of
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.service import Service
from linkwork_matching.domain.text import TextIndex, tokens


def for_needs(person: Person, services: list[Service]) -> list[Service]:
    return [s for s in services if s.is_active and s.needs & set(person.needs)]


def nearest_first(person: Person, services: list[Service], k: int) -> list[str]:
    """Services listed for the needs, nearest venue first; online/phone-only ones after all venues."""
    assert person.location is not None
    home = person.location

    def nearest(service: Service) -> float:
        if not service.venues:
            return float("inf")
        return min(distance_km(home.latitude, home.longitude, v.latitude, v.longitude) for v in service.venues)

    ranked = sorted(for_needs(person, services), key=lambda s: (nearest(s), s.service_id))
    return [s.service_id for s in ranked[:k]]


class TextOnly:
    """Services listed for the needs, by BM25 of the person's interests over name and description."""

    def __init__(self, services: list[Service]) -> None:
        self._services = services
        self._text = TextIndex()
        for number, service in enumerate(services):
            self._text.add(number, text_of(service))

    def rank(self, person: Person, k: int) -> list[str]:
        scores = self._text.scores([t for interest in person.interests for t in tokens(interest)])
        wanted = set(person.needs)
        candidates = [
            (-(0.0 if scores is None else float(scores[n])), s.service_id)
            for n, s in enumerate(self._services)
            if s.is_active and s.needs & wanted
        ]
        return [service_id for _, service_id in sorted(candidates)[:k]]
