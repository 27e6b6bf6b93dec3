"""The service-changed snapshot built from a stored service (no database needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from linkwork_contracts.codes import Accessibility, CapacityStatus, CostUnit, DayOfWeek, DeliveryMode, ServiceStatus
from linkwork_contracts.events import ServiceChangedV1
from linkwork_directory.adapters.service_events import Unpublishable, snapshot
from linkwork_directory.adapters.service_reader import Loaded
from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.merging import Known, resolve_service
from linkwork_directory.domain.oruk import Service
from linkwork_directory.domain.state import ServiceState

from .states import new_state

pytestmark = pytest.mark.unit
NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)


def _loaded(taken: int = 0, withdrawn: bool = False, **fields: Any) -> Loaded:
    record = {
        "id": str(uuid4()),
        "name": "Walk and talk",
        "status": "active",
        "organization": {"id": str(uuid4()), "name": "Friends of the Park", "description": "A charity"},
        **fields,
    }
    service = resolve_service(Service.model_validate(record), None, Known()).service
    assert service.social_prescribing is not None
    state = ServiceState(
        settings=service.social_prescribing,
        last_verified_at=datetime(2025, 3, 1, tzinfo=UTC),
        verified_by="curator",
        withdrawn_at=NOW if withdrawn else None,
        withdrawal_reason=None,
        revision=3,
        week_starting=date(2025, 6, 2),
        taken_this_week=taken,
        uptake_total=taken,
    )
    return Loaded(service, state)


def _venue(latitude: float = 53.81, postcode: str = "LS6 1AB", notes: str = "") -> dict[str, Any]:
    return {
        "id": str(uuid4()),
        "location": {
            "id": str(uuid4()),
            "location_type": "physical",
            "name": "Park pavilion",
            "latitude": latitude,
            "longitude": -1.57,
            "addresses": [
                {
                    "id": str(uuid4()),
                    "address_1": "1 Park Lane",
                    "city": "Leeds",
                    "state_province": "",
                    "postal_code": postcode,
                    "country": "GB",
                    "address_type": "physical",
                }
            ],
            "accessibility": [{"id": str(uuid4()), "description": notes}] if notes else [],
        },
    }


def test_a_full_snapshot() -> None:
    sal = _venue(notes="Step-free access. There is no hearing loop.")
    loaded = _loaded(
        taken=3,
        service_at_locations=[sal],
        minimum_age=Decimal("18"),
        schedules=[
            {
                "id": str(uuid4()),
                "byday": "TU,TH",
                "opens_at": "10:00",
                "closes_at": "11:30",
                "service_at_location_id": sal["id"],
            },
            {"id": str(uuid4()), "description": "no times given", "byday": "MO"},
        ],
        cost_options=[{"id": str(uuid4()), "amount": 2.5, "amount_description": "per session"}],
        languages=[
            {"id": str(uuid4()), "code": "en"},
            {"id": str(uuid4()), "code": "UR"},
            {"id": str(uuid4()), "name": "no code"},
        ],
        social_prescribing={
            "places_per_week": 10,
            "need_categories": ["physical-activity"],
            "delivery_modes": ["in-person"],
            "accessibility": ["large-print"],
        },
    )

    event = snapshot(loaded, changed_at=NOW, centroids={})

    assert isinstance(event, ServiceChangedV1)
    assert event.revision == 3 and event.status is ServiceStatus.ACTIVE
    assert event.organisation.name == "Friends of the Park"
    assert [loc.postcode for loc in event.locations] == ["LS6 1AB"]
    assert event.locations[0].accessibility == (Accessibility.STEP_FREE_ACCESS,)
    assert len(event.schedules) == 1
    assert event.schedules[0].byday == (DayOfWeek.TU, DayOfWeek.TH)
    assert event.schedules[0].closes_at == time(11, 30)
    assert event.schedules[0].location_id == event.locations[0].id
    assert (event.cost.free, event.cost.amount_pence, event.cost.per) == (False, 250, CostUnit.SESSION)
    assert event.languages == ("en", "ur")
    assert (event.capacity.places_per_week, event.capacity.places_remaining) == (10, 7)
    assert event.min_age == 18 and event.max_age is None
    assert event.accessibility == (Accessibility.LARGE_PRINT,)
    assert event.last_verified_on == date(2025, 3, 1)
    assert [t.taxonomy for t in event.taxonomy_terms] == ["linkwork-needs"]


def test_a_location_off_the_globe_falls_back_to_its_postcode_centroid() -> None:
    loaded = _loaded(service_at_locations=[_venue(latitude=100)])

    without = snapshot(loaded, changed_at=NOW, centroids={})
    with_centroid = snapshot(loaded, changed_at=NOW, centroids={"LS6 1AB": (53.82, -1.58)})

    assert isinstance(without, Unpublishable)
    assert "none of its locations has coordinates" in without.reason
    assert isinstance(with_centroid, ServiceChangedV1)
    assert (with_centroid.locations[0].latitude, with_centroid.locations[0].longitude) == (53.82, -1.58)


def test_an_in_person_and_online_service_without_a_venue_is_published_as_online() -> None:
    loaded = _loaded(social_prescribing={"delivery_modes": ["in-person", "online"]})
    event = snapshot(loaded, changed_at=NOW, centroids={})
    assert isinstance(event, ServiceChangedV1)
    assert event.delivery_modes == (DeliveryMode.ONLINE,)


def test_withdrawn_and_not_running_services_are_withdrawn_for_matching() -> None:
    for loaded in (
        _loaded(withdrawn=True, social_prescribing={"delivery_modes": ["telephone"]}),
        _loaded(status="temporarily closed", social_prescribing={"delivery_modes": ["telephone"]}),
    ):
        event = snapshot(loaded, changed_at=NOW, centroids={})
        assert isinstance(event, ServiceChangedV1)
        assert event.status is ServiceStatus.WITHDRAWN


def test_expired_prices_and_waiting_lists() -> None:
    loaded = _loaded(
        cost_options=[{"id": str(uuid4()), "amount": 5, "valid_to": "2024-12-31"}],
        social_prescribing={"delivery_modes": ["telephone"], "waiting_list": True},
    )
    event = snapshot(loaded, changed_at=NOW, centroids={})
    assert isinstance(event, ServiceChangedV1)
    assert event.cost.free is True
    assert event.capacity.waiting_list is True
    assert loaded.state.capacity_status is CapacityStatus.WAITLIST


def test_without_an_organization_there_is_no_snapshot() -> None:
    record = Service.model_validate({"id": str(uuid4()), "name": "Orphan", "status": "active"})
    service = resolve_service(record, None, Known()).service
    state = new_state(
        settings=SocialPrescribing(delivery_modes=[DeliveryMode.TELEPHONE]), week_starting=date(2025, 6, 2)
    )
    assert isinstance(snapshot(Loaded(service, state), changed_at=NOW, centroids={}), Unpublishable)
