"""A stored service as its `service-changed` snapshot (`linkwork_contracts.events.ServiceChangedV3`).

The snapshot is what matching and outcomes need, not the ORUK document: venues with coordinates
(a location without usable coordinates falls back to its address postcode's centroid), coded
accessibility, sessions, the price in force, capacity and routes in. A service the contract cannot
describe (no organization, or delivered in person with no place on the map) is not published;
the caller reports why, so a curator can fix the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from linkwork_contracts.codes import DayOfWeek, DeliveryMode, ReferralRoute, ScheduleFrequency, ServiceStatus
from linkwork_contracts.events import ServiceChangedV3
from linkwork_contracts.events.directory import (
    Cost,
    Organisation,
    Schedule,
    ServiceLocation,
    ServiceTaxonomyTerm,
    WaitingList,
)
from linkwork_contracts.geography import normalise_postcode
from pydantic import ValidationError

from linkwork_directory.domain.accessibility_text import features_in_text
from linkwork_directory.domain.costs import current_price
from linkwork_directory.domain.eligibility import attribute_routes, eligibility_codes, service_areas
from linkwork_directory.domain.oruk import Location, Service
from linkwork_directory.domain.state import ServiceState
from linkwork_directory.service_layer.ports import Loaded

Centroids = Mapping[str, tuple[float, float]]
_LANGUAGE_CODE_LENGTHS = (2, 3)


@dataclass(frozen=True, slots=True)
class Unpublishable:
    service_id: UUID
    reason: str


def postcode_of(location: Location) -> str | None:
    for address in location.addresses:
        try:
            return normalise_postcode(address.postal_code)
        except ValueError:
            continue
    return None


def postcodes_to_look_up(loaded: list[Loaded]) -> set[str]:
    """Postcodes of physical locations whose own coordinates cannot be used."""
    found = set()
    for item in loaded:
        for location in item.service.locations():
            postcode = postcode_of(location)
            if location.location_type == "physical" and not location.on_the_globe and postcode:
                found.add(postcode)
    return found


def _venue(location: Location, centroids: Centroids) -> ServiceLocation | None:
    if location.location_type != "physical":
        return None
    postcode = postcode_of(location)
    if location.on_the_globe:
        assert location.latitude is not None and location.longitude is not None
        latitude, longitude = location.latitude, location.longitude
    elif postcode is not None and postcode in centroids:
        latitude, longitude = centroids[postcode]
    else:
        return None
    features = features_in_text(
        *(
            f"{note.description or ''}. {note.details or ''}. {note.accessibility or ''}"
            for note in location.accessibility
        )
    )
    return ServiceLocation(
        id=location.id,
        name=(location.name or None) and location.name[:200],
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        accessibility=tuple(features),
    )


def _schedules(service: Service, venue_ids: set[UUID]) -> tuple[Schedule, ...]:
    location_of_sal = {sal.id: sal.the_location_id for sal in service.service_at_locations}
    sessions = []
    for schedule in service.schedules:
        if not schedule.days or schedule.opens_at is None or schedule.closes_at is None:
            continue  # no day or times: nothing a person could be told to turn up for
        if schedule.closes_at <= schedule.opens_at:
            continue
        location_id = location_of_sal.get(schedule.service_at_location_id) if schedule.service_at_location_id else None
        interval = int(schedule.interval) if schedule.interval else 1
        sessions.append(
            Schedule(
                freq=ScheduleFrequency(schedule.freq or "WEEKLY"),
                interval=min(max(interval, 1), 12),
                byday=tuple(DayOfWeek(day) for day in schedule.days),
                opens_at=schedule.opens_at,
                closes_at=schedule.closes_at,
                location_id=location_id if location_id in venue_ids else None,
                valid_from=schedule.valid_from,
                valid_to=schedule.valid_to,
                description=schedule.description[:500] if schedule.description else None,
            )
        )
    return tuple(sessions)


def _cost(service: Service, today: datetime) -> Cost:
    price = current_price(service.cost_options, today.date())
    if price is None:
        return Cost(free=True)
    return Cost(
        free=False,
        amount_pence=price.amount_pence,
        per=price.per,
        description=price.description[:300] if price.description else None,
    )


def _languages(service: Service) -> tuple[str, ...]:
    codes = [lang.code.strip().lower() for lang in service.languages if lang.code]
    valid = [c for c in dict.fromkeys(codes) if len(c) in _LANGUAGE_CODE_LENGTHS and c.isalpha() and c.isascii()]
    return tuple(valid[:10]) or ("en",)


def _status(service: Service, state: ServiceState) -> ServiceStatus:
    # Matching may suggest only what is running now: ORUK inactive, defunct and temporarily closed all
    # mean "do not send anyone", which the contract calls withdrawn.
    if service.status == "active" and state.withdrawn_at is None:
        return ServiceStatus.ACTIVE
    return ServiceStatus.WITHDRAWN


def _capacity(state: ServiceState) -> WaitingList:
    wait = state.wait
    return WaitingList(
        places_per_week=state.settings.places_per_week,
        places_remaining=state.places_remaining,
        waiting_list=state.settings.waiting_list,
        waiting=state.waiting,
        estimated_wait_weeks=wait.weeks,
        wait_basis=wait.basis.value if wait.basis else None,
        starts_per_week=wait.starts_per_week,
    )


def snapshot(loaded: Loaded, *, changed_at: datetime, centroids: Centroids) -> ServiceChangedV3 | Unpublishable:
    service, state = loaded.service, loaded.state
    if service.organization is None:
        return Unpublishable(service.id, "it has no organization")
    venues = [v for v in (_venue(location, centroids) for location in service.locations()) if v is not None]
    venues = list({venue.id: venue for venue in venues}.values())
    modes = [mode for mode in state.settings.delivery_modes if mode is not DeliveryMode.IN_PERSON or venues]
    if not modes:
        if DeliveryMode.IN_PERSON in state.settings.delivery_modes:
            return Unpublishable(
                service.id, "it is delivered in person but none of its locations has coordinates or a known postcode"
            )
        return Unpublishable(service.id, "it states no delivery mode (social_prescribing.delivery_modes)")
    terms = {a.term_id: a.taxonomy_term for a in service.attributes if a.taxonomy_term is not None}
    routes = list(dict.fromkeys([*state.settings.referral_routes, *attribute_routes(service)]))
    extension = state.settings
    try:
        return ServiceChangedV3(
            service_id=service.id,
            revision=max(state.revision, 1),
            changed_at=changed_at,
            name=service.name[:200],
            organisation=Organisation(id=service.organization.id, name=service.organization.name[:200]),
            status=_status(service, state),
            description=(service.description or "")[:5000],
            need_categories=tuple(state.settings.need_categories),
            taxonomy_terms=tuple(
                ServiceTaxonomyTerm(id=t.id, name=t.name[:200], taxonomy=(t.taxonomy or "unnamed")[:200])
                for t in terms.values()
            ),
            delivery_modes=tuple(modes),
            locations=tuple(venues),
            schedules=_schedules(service, {venue.id for venue in venues}),
            cost=_cost(service, changed_at),
            min_age=int(service.minimum_age) if service.minimum_age is not None else None,
            max_age=int(service.maximum_age) if service.maximum_age is not None else None,
            accessibility=tuple(state.settings.accessibility),
            languages=_languages(service),
            capacity=_capacity(state),
            referral_routes=tuple(routes) or (ReferralRoute.LINK_WORKER,),
            last_verified_on=state.last_verified_at.date() if state.last_verified_at else None,
            service_areas=service_areas(service),
            eligibility=tuple(eligibility_codes(service, extension)),
            condition_groups=tuple(extension.condition_groups),
            eligibility_description=extension.eligibility_description,
        )
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return Unpublishable(service.id, f"the snapshot would not meet the contract ({reasons})")
