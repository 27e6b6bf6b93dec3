"""Contract events map onto the domain and back without losing or inventing facts."""

from datetime import UTC, datetime, time

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import CapacityStatus, DayOfWeek, DeliveryMode, NeedCategory
from linkwork_contracts.events import Capacity, Cost, MatchesSuggestedV1, Schedule, ServiceChangedV1, ServiceChangedV2
from linkwork_matching.adapters.inbound import (
    person_from_referral,
    service_from_event,
    service_from_snapshot,
)
from linkwork_matching.adapters.outbound import matches_suggested
from linkwork_matching.domain.geo import distance_km
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Session

pytestmark = pytest.mark.unit
NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def test_a_snapshot_becomes_a_service_with_its_venue_sessions_and_capacity() -> None:
    service = service_from_event(examples.SERVICE_CHANGED)
    assert service.service_id == str(examples.SERVICE_ID) and service.version == 3
    assert service.needs == {NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.LONELINESS_ISOLATION}
    (venue,) = service.venues
    assert venue.postcode_district == "LS6" and venue.sessions == (Session(DayOfWeek.TU, time(10, 0)),)
    assert service.sessions == () and service.minimum_age == 60 and service.cost.is_free
    assert service.capacity is CapacityStatus.CAPACITY


@pytest.mark.parametrize(
    ("capacity", "status"),
    [
        (Capacity(places_per_week=20, places_remaining=0, waiting_list=True), CapacityStatus.WAITLIST),
        (Capacity(places_per_week=20, places_remaining=0, waiting_list=False), CapacityStatus.NO_CAPACITY),
        (Capacity(), CapacityStatus.CAPACITY),
    ],
)
def test_capacity_maps_to_the_gravity_codes(capacity: Capacity, status: CapacityStatus) -> None:
    event = examples.SERVICE_CHANGED.model_copy(update={"capacity": capacity})
    assert service_from_event(event).capacity is status


def test_service_wide_schedules_and_prices_map_across() -> None:
    event = examples.SERVICE_CHANGED.model_copy(
        update={
            "schedules": (
                Schedule(byday=(DayOfWeek.MO, DayOfWeek.TH), opens_at=time(18, 0), closes_at=time(19, 0), interval=2),
            ),
            "cost": Cost(free=False, amount_pence=250, per="session"),
        }
    )
    service = service_from_event(event)
    assert [(s.day, s.starts, s.interval) for s in service.sessions] == [
        (DayOfWeek.MO, time(18, 0), 2),
        (DayOfWeek.TH, time(18, 0), 2),
    ]
    assert service.cost.amount_pence == 250


def test_the_example_referral_gets_a_valid_suggestion_set_whose_reasons_state_facts() -> None:
    index = ServiceIndex()
    index.upsert(service_from_event(examples.SERVICE_CHANGED))
    person = person_from_referral(examples.REFERRAL_CREATED)
    assert person.travel_mode == "public-transport" and person.max_cost_pence == 0
    suggestions = Ranker(index).suggest(person)
    event = matches_suggested(examples.REFERRAL_CREATED, person, suggestions, suggested_at=NOW, ranker_version="test")
    again = MatchesSuggestedV1.model_validate_json(event.model_dump_json())
    assert again == event
    loneliness, walking = event.needs
    assert loneliness.need is NeedCategory.LONELINESS_ISOLATION
    (option,) = loneliness.options
    assert option.rank == 1 and option.delivery_mode is DeliveryMode.IN_PERSON
    assert 0 < option.score <= 1
    assert option.reasons == (
        "helps with loneliness and isolation",
        "also helps with physical activity",
        f"{option.distance_km:.1f} km away",
        "6 places free this week",
        "free",
        "Tuesdays 10:00 fits mornings",
        "for 60+",
        "step-free access",
        "matches interests: walking",
    )
    assert option.distance_km == round(distance_km(53.82, -1.58, 53.8152, -1.5671), 3)
    assert walking.options[0].service_id == examples.SERVICE_ID


def test_a_stored_snapshot_with_defaults_left_out_maps_as_its_validated_model_does() -> None:
    """The index reads raw stored JSON; omitted fields must mean what the contract's defaults mean."""
    raw = {
        "service_id": str(examples.SERVICE_ID).upper(),
        "revision": 4,
        "changed_at": "2025-03-01T10:00:00Z",
        "name": "Drop-in",
        "status": "active",
        "organisation": {"id": "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", "name": "Trust"},
        "need_categories": ["housing"],
        "delivery_modes": ["in-person", "telephone"],
        "locations": [{"id": str(examples.LOCATION_ID).upper(), "latitude": 53.8, "longitude": -1.5}],
        "schedules": [
            {
                "byday": ["MO", "FR"],
                "opens_at": "09:30",
                "closes_at": "12:00",
                "location_id": str(examples.LOCATION_ID),
            },
            {"byday": ["WE"], "opens_at": "18:00:00", "closes_at": "19:00", "freq": "MONTHLY"},
        ],
        "cost": {"free": False, "amount_pence": 300, "per": "session"},
        "referral_routes": ["self-referral"],
        "last_verified_on": None,
    }
    validated = ServiceChangedV1.model_validate(raw)
    assert service_from_snapshot(raw) == service_from_event(validated)
    service = service_from_snapshot(raw)
    assert service.service_id == str(examples.SERVICE_ID)
    assert service.venues[0].sessions == (Session(DayOfWeek.MO, time(9, 30)), Session(DayOfWeek.FR, time(9, 30)))
    assert service.spoken_languages == {"en"} and service.capacity is CapacityStatus.CAPACITY


def test_a_v2_service_the_person_may_qualify_for_is_sent_to_check_not_offered() -> None:
    """Issue 21: matches-suggested carries 'check eligibility' beside the options; the v2 snapshot's
    areas and codes survive the mapping."""
    index = ServiceIndex()
    walks = examples.SERVICE_CHANGED_V2  # Leeds residents only (LS and Leeds council)
    veterans = ServiceChangedV2.model_validate(
        {
            **examples.SERVICE_CHANGED.model_dump(),
            "service_id": "0f3c2b1a-0000-4000-8000-000000000021",
            "name": "Veterans' breakfast club",
            "min_age": None,
            "eligibility": ["veterans"],
        }
    )
    for event in (walks, veterans):
        index.upsert(service_from_event(event))
    assert index.get(str(walks.service_id)).areas  # type: ignore[union-attr]
    person = person_from_referral(examples.REFERRAL_CREATED)  # lives in LS6; veteran status not recorded
    event = matches_suggested(
        examples.REFERRAL_CREATED, person, Ranker(index).suggest(person), suggested_at=NOW, ranker_version="test"
    )
    loneliness = event.needs[0]
    assert [o.service_name for o in loneliness.options] == ["Hyde Park Health Walks"]
    assert "for Leeds residents; the person lives there" in loneliness.options[0].reasons
    (check,) = loneliness.check_eligibility
    assert check.service_name == "Veterans' breakfast club"
    assert check.reason == "for veterans: check eligibility (whether the person qualifies is not recorded)"
