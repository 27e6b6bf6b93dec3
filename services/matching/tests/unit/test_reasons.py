"""Every reason a link worker reads out states a fact of the service or the person."""

from collections.abc import Callable
from datetime import time

import pytest
from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    CapacityStatus,
    CostUnit,
    DayOfWeek,
    DeliveryMode,
    NeedCategory,
    PartOfDay,
    ScheduleFrequency,
)
from linkwork_matching.domain.effectiveness import OutcomeTally
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.ranker import Option, Ranker
from linkwork_matching.domain.reasons import ReasonKind
from linkwork_matching.domain.service import Cost, Service, Session, Venue
from linkwork_matching.domain.wording import session_words

from .conftest import ranker_over

pytestmark = pytest.mark.unit


def top(person: Person, *services: Service, ranker: Ranker | None = None) -> Option:
    if ranker is None:
        return ranker_over(*services).suggest(person).ranked[0]
    for service in services:
        ranker.index.upsert(service)
    return ranker.suggest(person).ranked[0]


def reason(option: Option, kind: ReasonKind) -> str:
    texts = [r.text for r in option.reasons if r.kind is kind]
    assert len(texts) == 1, option.reasons
    return texts[0]


def test_the_briefs_example_reads_as_the_facts(
    service: Callable[..., Service], person: Callable[..., Person], north: Callable[..., Venue]
) -> None:
    walk = service(
        venues=(north(1.2, accessibility=frozenset({Accessibility.STEP_FREE_ACCESS})),),
        minimum_age=60,
        sessions=(Session(DayOfWeek.TU, time(10, 0)),),
    )
    someone = person(
        age_band=AgeBand.AGE_65_74,
        availability=frozenset({(DayOfWeek.TU, PartOfDay.MORNING)}),
        accessibility_needs=frozenset({Accessibility.STEP_FREE_ACCESS}),
    )
    option = top(someone, walk)
    assert option.summary == (
        "Walking group, helps with physical activity, 1.2 km away, free, "
        "Tuesdays 10:00 fits mornings, for 60+, step-free access"
    )
    assert option.distance_km == pytest.approx(1.2, abs=0.001)


def test_costs_capacity_languages_and_interests_are_stated_as_they_are(
    service: Callable[..., Service], person: Callable[..., Person]
) -> None:
    choir = service(
        name="Community choir",
        description="Singing popular songs together.",
        needs=frozenset({NeedCategory.ARTS_CREATIVITY_CULTURE}),
        cost=Cost(350, CostUnit.SESSION),
        capacity=CapacityStatus.WAITLIST,
        languages=frozenset({"en", "pl"}),
    )
    someone = person(
        needs=(NeedCategory.ARTS_CREATIVITY_CULTURE,), languages=frozenset({"pl"}), interests=("singing", "birds")
    )
    option = top(someone, choir)
    assert reason(option, ReasonKind.COST) == "£3.50 a session"
    assert reason(option, ReasonKind.CAPACITY) == "waiting list"
    assert reason(option, ReasonKind.LANGUAGE) == "in Polish"
    assert reason(option, ReasonKind.INTERESTS) == "matches interests: singing"
    assert reason(option, ReasonKind.SCHEDULE) == "Tuesdays 10:00"


def test_a_session_outside_the_persons_availability_is_said_so(
    service: Callable[..., Service], person: Callable[..., Person]
) -> None:
    evening = service(sessions=(Session(DayOfWeek.TH, time(19, 0), ScheduleFrequency.MONTHLY),))
    option = top(person(availability=frozenset({(DayOfWeek.TU, PartOfDay.MORNING)})), evening)
    assert reason(option, ReasonKind.SCHEDULE) == ("monthly, Thursdays 19:00, not a time the person said they are free")


def test_remote_delivery_and_a_partial_age_match_are_explained(
    service: Callable[..., Service], person: Callable[..., Person]
) -> None:
    calls = service(
        name="Befriending calls",
        venues=(),
        minimum_age=60,
        delivery_modes=frozenset({DeliveryMode.ONLINE, DeliveryMode.TELEPHONE}),
        needs=frozenset({NeedCategory.LONELINESS_ISOLATION, NeedCategory.PHYSICAL_ACTIVITY}),
    )
    someone = person(
        age_band=AgeBand.AGE_55_64, needs=(NeedCategory.LONELINESS_ISOLATION, NeedCategory.PHYSICAL_ACTIVITY)
    )
    option = top(someone, calls)
    assert reason(option, ReasonKind.DELIVERY) == "online or by telephone"
    assert reason(option, ReasonKind.AGE) == "for 60+ (check age: the person is 55-64)"
    assert reason(option, ReasonKind.ALSO_MEETS) == "also helps with physical activity"
    assert option.distance_km is None


def test_outcome_evidence_is_quoted_in_counts_once_there_is_enough(
    service: Callable[..., Service], person: Callable[..., Person]
) -> None:
    ranker = Ranker(ServiceIndex())
    ranker.record_outcomes("walk", NeedCategory.PHYSICAL_ACTIVITY, OutcomeTally(9, 7, 5, 10.5))
    option = top(person(), service("walk"), ranker=ranker)
    evidence = [r.text for r in option.reasons if r.kind is ReasonKind.EVIDENCE]
    assert evidence == ["7 of 9 people referred took part", "wellbeing up 2.1 points on average for 5 people"]
    ranker.record_outcomes("walk", NeedCategory.PHYSICAL_ACTIVITY, OutcomeTally(2, 2, 2, 8.0))
    option = ranker.suggest(person()).ranked[0]
    assert not [r for r in option.reasons if r.kind is ReasonKind.EVIDENCE]


@pytest.mark.parametrize(
    ("session", "words"),
    [
        (Session(DayOfWeek.WE, time(14, 30)), "Wednesdays 14:30"),
        (Session(DayOfWeek.WE, time(14, 30), ScheduleFrequency.WEEKLY, 2), "fortnightly, Wednesdays 14:30"),
        (Session(DayOfWeek.WE, time(9, 5), ScheduleFrequency.WEEKLY, 3), "every 3 weeks, Wednesdays 09:05"),
        (Session(DayOfWeek.SU, time(10, 0), ScheduleFrequency.MONTHLY), "monthly, Sundays 10:00"),
    ],
)
def test_sessions_are_worded_with_their_frequency(session: Session, words: str) -> None:
    assert session_words(session) == words
