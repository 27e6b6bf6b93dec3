"""The waiting-list rule (issue 17): live capacity and the estimated wait in ranking and in reasons."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import CapacityStatus
from linkwork_contracts.events import WaitingList
from linkwork_matching.adapters.inbound import service_from_event
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.reasons import ReasonKind
from linkwork_matching.domain.scoring import Weights, wait_penalty
from linkwork_matching.domain.service import Service

from .conftest import ranker_over, venue_north_of_home

pytestmark = pytest.mark.unit
WAITLIST = CapacityStatus.WAITLIST


def ranked(person: Person, *services: Service) -> list[tuple[str, float, tuple[str, ...]]]:
    return [
        (o.service.service_id, o.score, tuple(r.text for r in o.reasons if r.kind is ReasonKind.CAPACITY))
        for o in ranker_over(*services).suggest(person, per_need=len(services)).needs[0].options
    ]


def test_the_penalty_grows_with_the_wait_to_a_cap() -> None:
    weights = Weights()
    assert wait_penalty(CapacityStatus.CAPACITY, 9, weights) == 0.0  # a place now: the estimate is moot
    assert wait_penalty(WAITLIST, 0, weights) == 0.0
    assert wait_penalty(WAITLIST, 3, weights) == pytest.approx(0.06)
    assert wait_penalty(WAITLIST, 12, weights) == wait_penalty(WAITLIST, 60, weights) == pytest.approx(0.24)
    # Unknown: the flat penalty every waiting list had before waits were estimated.
    assert wait_penalty(WAITLIST, None, weights) == weights.waitlist_penalty


def test_shorter_waits_rank_first_and_say_how_long(
    service: Callable[..., Service], person: Callable[..., Person]
) -> None:
    hall = venue_north_of_home(1.0)
    options = ranked(
        person(),
        service("long", capacity=WAITLIST, wait_weeks=10, venues=(hall,)),
        service("unknown", capacity=WAITLIST, wait_weeks=None, venues=(hall,)),
        service("short", capacity=WAITLIST, wait_weeks=1, venues=(hall,)),
        service("free", places_remaining=4, venues=(hall,)),
    )
    assert [o[0] for o in options] == ["free", "short", "unknown", "long"]
    assert [o[2] for o in options] == [
        ("4 places free this week",),
        ("waiting list: about 1 week's wait",),
        ("waiting list",),
        ("waiting list: about 10 weeks' wait",),
    ]
    scores = [o[1] for o in options]
    assert scores[0] - scores[1] == pytest.approx(0.02, abs=1e-6)
    assert scores[0] - scores[3] == pytest.approx(0.20, abs=1e-6)


def test_a_wait_is_weighed_against_distance(service: Callable[..., Service], person: Callable[..., Person]) -> None:
    # A group 1 km away with a 12-week wait loses to one 1.5 km away with a place now.
    near = service("near", capacity=WAITLIST, wait_weeks=12, venues=(venue_north_of_home(1.0),))
    further = service("further", venues=(venue_north_of_home(1.5),))
    assert [o[0] for o in ranked(person(), near, further)] == ["further", "near"]


def test_a_v3_snapshot_brings_the_wait_and_the_places_left() -> None:
    queuing = examples.SERVICE_CHANGED_V3
    service = service_from_event(queuing)
    assert (service.capacity, service.wait_weeks, service.places_remaining) == (WAITLIST, 3, 0)
    # Places left this week but people already queuing: a newcomer still joins the queue.
    places_left = {"places_remaining": 4, "waiting": 2, "estimated_wait_weeks": 1, "starts_per_week": 3.0}
    # Validated, not model_copy(update=...): the changed capacity must still be one the contract allows.
    capacity = WaitingList.model_validate({**queuing.capacity.model_dump(), **places_left})
    behind = queuing.model_copy(update={"capacity": capacity})
    assert (service_from_event(behind).capacity, service_from_event(behind).wait_weeks) == (WAITLIST, 1)
    # Full with the list closed: no capacity. v1/v2 snapshots state no wait.
    closed = queuing.model_copy(update={"capacity": WaitingList(places_per_week=20, places_remaining=0)})
    assert service_from_event(closed).capacity is CapacityStatus.NO_CAPACITY
    assert service_from_event(examples.SERVICE_CHANGED_V2).wait_weeks is None
