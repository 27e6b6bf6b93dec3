"""Builders for small hand-made directories and people around Leeds (LS6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from linkwork_contracts.codes import AgeBand, DayOfWeek, NeedCategory, TravelMode
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.person import Location, Person
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Service, Session, Venue

HOME = Location(53.82, -1.57)
# The types of the `service` and `person` fixtures, for the tests' signatures.
ServiceOf = Callable[..., Service]
PersonOf = Callable[..., Person]


def venue_north_of_home(km: float, **extra: Any) -> Venue:
    """A venue `km` due north of HOME (one degree of latitude is 111.2 km on the mean sphere)."""
    return Venue(
        venue_id=f"v-{km}",
        name=f"Hall {km} km north",
        latitude=HOME.latitude + km / 111.195,
        longitude=HOME.longitude,
        **extra,
    )


def _service(service_id: str = "walk", **extra: Any) -> Service:
    defaults: dict[str, Any] = {
        "name": "Walking group",
        "description": "A gentle walk in the park.",
        "needs": frozenset({NeedCategory.PHYSICAL_ACTIVITY}),
        "venues": (venue_north_of_home(1.0),),
        "sessions": (Session(DayOfWeek.TU, time(10, 0)),),
    }
    defaults.update(extra)
    return Service(service_id=service_id, **defaults)


def _person(**extra: Any) -> Person:
    defaults: dict[str, Any] = {
        "needs": (NeedCategory.PHYSICAL_ACTIVITY,),
        "age_band": AgeBand.AGE_65_74,
        "location": HOME,
        "postcode_district": "LS6",
        "travel_mode": TravelMode.WALK,
    }
    defaults.update(extra)
    return Person(**defaults)


@pytest.fixture
def service() -> Callable[..., Service]:
    return _service


@pytest.fixture
def person() -> Callable[..., Person]:
    return _person


@pytest.fixture
def north() -> Callable[..., Venue]:
    return venue_north_of_home


def ranker_over(*services: Service) -> Ranker:
    """A ranker whose index holds just `services`, upserted in order (a later version replaces an earlier)."""
    ranker = Ranker(ServiceIndex())
    for service in services:
        ranker.index.upsert(service)
    return ranker


def suggested_ids(person: Person, *services: Service) -> set[str]:
    """The ids of the services offered to `person`, over every need, from a directory of just `services`."""
    suggestions = ranker_over(*services).suggest(person)
    return {o.service.service_id for n in suggestions.needs for o in n.options}
