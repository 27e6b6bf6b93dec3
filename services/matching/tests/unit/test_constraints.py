"""Hard constraints: an ineligible service is never suggested, whatever its score would be."""

from collections.abc import Callable

import pytest
from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    CapacityStatus,
    CostUnit,
    DeliveryMode,
    NeedCategory,
    ServiceStatus,
    TravelMode,
)
from linkwork_matching.domain.constraints import Constraint, check
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.offer import offers_of
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Cost, Venue

from .conftest import PersonOf, ServiceOf, suggested_ids

pytestmark = pytest.mark.unit


def test_an_eligible_service_is_suggested(service: ServiceOf, person: PersonOf) -> None:
    assert suggested_ids(person(), service("ok")) == {"ok"}


def test_too_far_for_the_travel_mode_is_never_suggested(
    service: ServiceOf, person: PersonOf, north: Callable[..., Venue]
) -> None:
    # Walking 20 minutes at 4.8 km/h reaches 1.6 km.
    near, far = service("near", venues=(north(1.5),)), service("far", venues=(north(1.7),))
    walker = person(travel_mode=TravelMode.WALK)
    assert suggested_ids(walker, near, far) == {"near"}
    exclusion = check(walker, offers_of(far)[0], NeedCategory.PHYSICAL_ACTIVITY, 1.6)
    assert exclusion is not None and exclusion.constraint is Constraint.REACH
    assert exclusion.detail == "1.7 km away, beyond 1.6 km"
    # By car the same venue is within reach.
    assert suggested_ids(person(travel_mode=TravelMode.CAR), near, far) == {"near", "far"}


def test_a_stated_travel_time_sets_the_reach(service: ServiceOf, person: PersonOf, north: Callable[..., Venue]) -> None:
    far = service("far", venues=(north(3.0),))
    assert suggested_ids(person(travel_mode=TravelMode.WALK, max_travel_minutes=40), far) == {"far"}
    assert suggested_ids(person(travel_mode=TravelMode.WALK, max_travel_minutes=30), far) == set()


def test_the_wrong_age_is_never_suggested(service: ServiceOf, person: PersonOf) -> None:
    youth = service("youth", minimum_age=16, maximum_age=25)
    over_60 = service("over-60", minimum_age=60)
    assert suggested_ids(person(age_band=AgeBand.AGE_65_74), youth, over_60) == {"over-60"}
    assert suggested_ids(person(age_band=AgeBand.AGE_35_44), youth, over_60) == set()
    # Only the band is known: a 55-64 person may be 60 or over, so the group is shown (with a caveat).
    assert suggested_ids(person(age_band=AgeBand.AGE_55_64), youth, over_60) == {"over-60"}


def test_inaccessible_venues_are_never_suggested(
    service: ServiceOf, person: PersonOf, north: Callable[..., Venue]
) -> None:
    step_free = service("step-free", venues=(north(1.0, accessibility=frozenset({Accessibility.STEP_FREE_ACCESS})),))
    stairs = service("stairs", venues=(north(0.5),))
    needs_ramp = person(accessibility_needs=frozenset({Accessibility.STEP_FREE_ACCESS}))
    assert suggested_ids(needs_ramp, step_free, stairs) == {"step-free"}


def test_remote_offers_need_no_venue_features_but_do_need_communication_support(
    service: ServiceOf, person: PersonOf
) -> None:
    online = service("online", venues=(), delivery_modes=frozenset({DeliveryMode.ONLINE}))
    online_bsl = service(
        "online-bsl",
        venues=(),
        delivery_modes=frozenset({DeliveryMode.ONLINE}),
        accessibility=frozenset({Accessibility.BSL_INTERPRETER}),
    )
    wheelchair = person(accessibility_needs=frozenset({Accessibility.WHEELCHAIR_ACCESSIBLE}))
    deaf = person(accessibility_needs=frozenset({Accessibility.BSL_INTERPRETER}))
    assert suggested_ids(wheelchair, online, online_bsl) == {"online", "online-bsl"}
    assert suggested_ids(deaf, online, online_bsl) == {"online-bsl"}


def test_full_without_a_waiting_list_is_never_suggested(service: ServiceOf, person: PersonOf) -> None:
    full = service("full", capacity=CapacityStatus.NO_CAPACITY)
    waitlist = service("waitlist", capacity=CapacityStatus.WAITLIST)
    assert suggested_ids(person(), full, waitlist) == {"waitlist"}
    assert suggested_ids(person(accepts_waiting_list=False), full, waitlist) == set()


def test_withdrawn_services_are_never_suggested(service: ServiceOf, person: PersonOf) -> None:
    index = ServiceIndex()
    index.upsert(service("walk", version=1))
    index.upsert(service("walk", version=2, status=ServiceStatus.WITHDRAWN))
    assert Ranker(index).suggest(person()).ranked == ()
    assert index.get("walk") is None
    snapshot = service("walk", status=ServiceStatus.WITHDRAWN)
    assert check(person(), offers_of(snapshot)[0], NeedCategory.PHYSICAL_ACTIVITY, 5.0) is not None


def test_an_older_snapshot_never_replaces_a_newer_one(service: ServiceOf, person: PersonOf) -> None:
    index = ServiceIndex()
    index.upsert(service("walk", version=2, status=ServiceStatus.WITHDRAWN))
    assert not index.upsert(service("walk", version=1))
    assert Ranker(index).suggest(person()).ranked == ()


def test_language_must_be_one_the_person_uses(service: ServiceOf, person: PersonOf) -> None:
    english = service("english")
    polish = service("polish", languages=frozenset({"pl", "en"}))
    assert suggested_ids(person(languages=frozenset({"pl"})), english, polish) == {"polish"}
    interpreted = person(languages=frozenset({"pl", "en"}), interpreter_needed=True)
    assert suggested_ids(interpreted, english, polish) == {"polish"}
    assert suggested_ids(person(), english, polish) == {"english", "polish"}


def test_cost_must_be_affordable(service: ServiceOf, person: PersonOf) -> None:
    free = service("free")
    three_pounds = service("three", cost=Cost(300, CostUnit.SESSION))
    course = service("course", cost=Cost(3000, CostUnit.COURSE))
    assert suggested_ids(person(max_cost_pence=0), free, three_pounds, course) == {"free"}
    assert suggested_ids(person(max_cost_pence=300), free, three_pounds, course) == {"free", "three"}
    assert suggested_ids(person(), free, three_pounds, course) == {"free", "three", "course"}


def test_delivery_modes_the_person_refuses_are_never_suggested(service: ServiceOf, person: PersonOf) -> None:
    phone = service("phone", venues=(), delivery_modes=frozenset({DeliveryMode.TELEPHONE}))
    hall = service("hall")
    in_person_only = person(delivery_modes=frozenset({DeliveryMode.IN_PERSON}))
    assert suggested_ids(in_person_only, phone, hall) == {"hall"}
    assert suggested_ids(person(delivery_modes=frozenset({DeliveryMode.TELEPHONE})), phone, hall) == {"phone"}


def test_in_person_needs_a_known_location(service: ServiceOf, person: PersonOf) -> None:
    online = service("online", venues=(), delivery_modes=frozenset({DeliveryMode.ONLINE}))
    assert suggested_ids(person(location=None), service("hall"), online) == {"online"}


def test_a_service_is_suggested_only_for_the_needs_it_is_listed_for(service: ServiceOf, person: PersonOf) -> None:
    debt = service("debt", needs=frozenset({NeedCategory.DEBT_MONEY_BENEFITS}))
    assert suggested_ids(person(), debt) == set()


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"status": ServiceStatus.WITHDRAWN}, Constraint.ACTIVE),
        ({"minimum_age": 18, "maximum_age": 25}, Constraint.AGE),
        ({"capacity": CapacityStatus.NO_CAPACITY}, Constraint.CAPACITY),
        ({"languages": frozenset({"pl"})}, Constraint.LANGUAGE),
        ({"cost": Cost(500)}, Constraint.COST),
    ],
)
def test_check_names_the_rule_that_excluded(
    service: ServiceOf, person: PersonOf, change: dict[str, object], constraint: Constraint
) -> None:
    offer = offers_of(service(**change))[0]
    exclusion = check(person(max_cost_pence=200), offer, NeedCategory.PHYSICAL_ACTIVITY, 5.0)
    assert exclusion is not None and exclusion.constraint is constraint
