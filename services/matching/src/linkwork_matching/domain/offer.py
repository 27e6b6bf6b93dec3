"""An offer: one way a person could take part in a service, at one venue or remotely.

Ranking works on offers because a service at three venues may be near at one and far at the
others; the best offer stands for the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkwork_contracts.codes import Accessibility, DeliveryMode

from linkwork_matching.domain.service import Service, Session, Venue

# Features a person taking part from home never needs the provider to supply.
VENUE_ONLY_FEATURES: frozenset[Accessibility] = frozenset(
    {
        Accessibility.STEP_FREE_ACCESS,
        Accessibility.WHEELCHAIR_ACCESSIBLE,
        Accessibility.ACCESSIBLE_TOILET,
        Accessibility.CHANGING_PLACES,
        Accessibility.ACCESSIBLE_PARKING,
        Accessibility.SEATING_AVAILABLE,
        Accessibility.ASSISTANCE_DOGS_WELCOME,
        Accessibility.QUIET_SPACE,
    }
)


@dataclass(frozen=True, slots=True)
class Offer:
    service: Service
    venue: Venue | None  # None: delivered online and/or by telephone

    @property
    def modes(self) -> frozenset[DeliveryMode]:
        if self.venue is not None:
            return frozenset({DeliveryMode.IN_PERSON})
        return self.service.remote_modes

    @property
    def sessions(self) -> tuple[Session, ...]:
        return self.service.sessions_at(self.venue)

    @property
    def accessibility(self) -> frozenset[Accessibility]:
        """Features the person can rely on when taking part this way."""
        if self.venue is None:
            return self.service.accessibility | VENUE_ONLY_FEATURES
        return self.service.accessibility | self.venue.accessibility


def offers_of(service: Service) -> tuple[Offer, ...]:
    """Every way to take part: each venue if delivered in person, and one remote offer."""
    offers: list[Offer] = []
    if DeliveryMode.IN_PERSON in service.delivery_modes:
        offers.extend(Offer(service, venue) for venue in service.venues)
    if service.remote_modes:
        offers.append(Offer(service, None))
    return tuple(offers)
