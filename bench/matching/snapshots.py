"""Synthetic services as the directory would publish them: service-changed events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from linkwork_contracts.codes import CapacityStatus, ReferralRoute
from linkwork_contracts.events import (
    Capacity,
    Cost,
    Organisation,
    Schedule,
    ServiceChangedV1,
    ServiceLocation,
)
from linkwork_matching.domain.service import Service, Session

ORGANISATION = Organisation(id=UUID(int=7), name="Synthetic Community Trust")
CAPACITY = {
    CapacityStatus.CAPACITY: Capacity(),
    CapacityStatus.WAITLIST: Capacity(places_per_week=10, places_remaining=0, waiting_list=True),
    CapacityStatus.NO_CAPACITY: Capacity(places_per_week=10, places_remaining=0, waiting_list=False),
    # The event has no "assessment first" flag; such services are published as having places.
    CapacityStatus.ADDITIONAL_ASSESSMENT_REQUIRED: Capacity(),
}


def _schedules(sessions: tuple[Session, ...], location_id: UUID | None) -> list[Schedule]:
    return [
        Schedule(
            freq=s.frequency,
            interval=s.interval,
            byday=(s.day,),
            opens_at=s.starts,
            closes_at=(datetime.combine(date(2025, 1, 1), s.starts) + timedelta(hours=1)).time()
            if s.starts < time(23, 0)
            else time(23, 59),
            location_id=location_id,
        )
        for s in sessions
    ]


def service_changed(service: Service, number: int) -> ServiceChangedV1:
    service_id = UUID(int=number + 1)
    locations = [
        ServiceLocation(
            id=UUID(int=(number + 1) << 8 | i),
            name=venue.name,
            latitude=venue.latitude,
            longitude=venue.longitude,
            accessibility=tuple(sorted(venue.accessibility)),
        )
        for i, venue in enumerate(service.venues)
    ]
    schedules = _schedules(service.sessions, None)
    cost = (
        Cost(free=True)
        if service.cost.is_free
        else Cost(free=False, amount_pence=service.cost.amount_pence, per=service.cost.unit)
    )
    return ServiceChangedV1(
        service_id=service_id,
        revision=1,
        changed_at=datetime(2025, 3, 1, tzinfo=UTC),
        name=service.name,
        organisation=ORGANISATION,
        status=service.status,
        description=service.description,
        need_categories=tuple(sorted(service.needs)),
        delivery_modes=tuple(sorted(service.delivery_modes)),
        locations=tuple(locations),
        schedules=tuple(schedules),
        cost=cost,
        min_age=service.minimum_age,
        max_age=service.maximum_age,
        accessibility=tuple(sorted(service.accessibility)),
        languages=tuple(sorted(service.spoken_languages)),
        capacity=CAPACITY[service.capacity],
        referral_routes=(ReferralRoute.LINK_WORKER,),
        last_verified_on=date(2025, 2, 1),
    )
