"""Seeded synthetic directories and people, for tests, the benchmark and demos.

The services look like a PCN's community offer: names and descriptions per need, a few venues
each, weekly sessions, some age limits, costs, waiting lists and languages. Nothing here is used
by the running service.
"""

from __future__ import annotations

import random
from datetime import time

from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    CapacityStatus,
    CostUnit,
    DayOfWeek,
    DeliveryMode,
    NeedCategory,
    PartOfDay,
    TravelMode,
)

from linkwork_matching.domain.person import Location, Person
from linkwork_matching.domain.service import Cost, Service, Session, Venue

N = NeedCategory
# (need, activity name, words a description uses)
ACTIVITIES: tuple[tuple[NeedCategory, str, str], ...] = (
    (N.PHYSICAL_ACTIVITY, "Walking group", "walking walks park fresh air gentle pace"),
    (N.PHYSICAL_ACTIVITY, "Chair exercise", "exercise seated movement strength balance"),
    (N.PHYSICAL_ACTIVITY, "Walking football", "football sport team fitness"),
    (N.LONELINESS_ISOLATION, "Lunch club", "lunch meal company friends chat"),
    (N.LONELINESS_ISOLATION, "Befriending calls", "befriending phone calls volunteer friendly chat"),
    (N.LONELINESS_ISOLATION, "Knit and natter", "knitting crochet crafts chat tea"),
    (N.MOOD_ANXIETY_STRESS, "Wellbeing cafe", "wellbeing peer support talking coffee"),
    (N.MOOD_ANXIETY_STRESS, "Mindfulness course", "mindfulness meditation calm breathing"),
    (N.WEIGHT_HEALTHY_EATING, "Cook and eat", "cooking recipes healthy eating nutrition"),
    (N.DEBT_MONEY_BENEFITS, "Money advice drop-in", "debt benefits budgeting advice money"),
    (N.HOUSING, "Housing advice", "housing tenancy repairs energy bills advice"),
    (N.EMPLOYMENT_SKILLS_VOLUNTEERING, "Volunteering hub", "volunteering skills jobs cv"),
    (N.CARERS_SUPPORT, "Carers' group", "carers support respite caring"),
    (N.BEREAVEMENT, "Bereavement cafe", "bereavement loss grief support"),
    (N.LONG_TERM_CONDITIONS, "Breathe easy", "lungs breathing copd self-management"),
    (N.SUBSTANCE_USE, "Recovery cafe", "recovery alcohol drugs peer support"),
    (N.RELATIONSHIPS_FAMILY, "Family support", "parenting family relationships children"),
    (N.DIGITAL_INCLUSION, "Tech help", "computers tablets internet digital skills"),
    (N.ARTS_CREATIVITY_CULTURE, "Community choir", "singing choir music songs"),
    (N.ARTS_CREATIVITY_CULTURE, "Art class", "painting drawing art watercolour"),
    (N.NATURE_GREEN_SPACE, "Community garden", "gardening growing vegetables allotment nature"),
    (N.NATURE_GREEN_SPACE, "Bird watching", "birds nature wildlife reserve binoculars"),
    (N.LEARNING_EDUCATION, "Adult learning", "learning courses english maths library"),
)
# Needs an activity also commonly meets, so some services are listed for two.
ALSO = {
    N.PHYSICAL_ACTIVITY: N.LONELINESS_ISOLATION,
    N.ARTS_CREATIVITY_CULTURE: N.MOOD_ANXIETY_STRESS,
    N.NATURE_GREEN_SPACE: N.MOOD_ANXIETY_STRESS,
    N.WEIGHT_HEALTHY_EATING: N.PHYSICAL_ACTIVITY,
}
INTERESTS = (
    "walking",
    "gardening",
    "singing",
    "birds",
    "cooking",
    "knitting",
    "painting",
    "football",
    "music",
    "computers",
    "nature",
    "crafts",
    "meditation",
    "chat",
)
LANGUAGES = ("pl", "ur", "pa", "bn", "ar", "so", "ro")
CENTRE = Location(53.80, -1.55)
AREAS = ("LS1", "LS2", "LS3", "LS4", "LS5", "LS6", "LS7", "LS8")


def _sessions(rng: random.Random) -> tuple[Session, ...]:
    return tuple(
        Session(rng.choice(list(DayOfWeek)), time(rng.choice((9, 10, 11, 13, 14, 18, 19))))
        for _ in range(rng.randint(1, 2))
    )


def service(rng: random.Random, number: int, centre: Location, radius_km: float) -> Service:
    need, name, words = rng.choice(ACTIVITIES)
    needs = {need} | ({ALSO[need]} if need in ALSO and rng.random() < 0.5 else set())
    modes = rng.choices(
        [
            {DeliveryMode.IN_PERSON},
            {DeliveryMode.ONLINE},
            {DeliveryMode.TELEPHONE},
            {DeliveryMode.IN_PERSON, DeliveryMode.ONLINE},
        ],
        weights=(80, 8, 6, 6),
    )[0]
    venues = tuple(
        Venue(
            f"s{number}-v{v}",
            f"Venue {v}",
            round(centre.latitude + rng.uniform(-1, 1) * radius_km / 111.2, 5),
            round(centre.longitude + rng.uniform(-1, 1) * radius_km / 66.0, 5),
            rng.choice(AREAS),
            frozenset(rng.sample(list(Accessibility), rng.randint(0, 5))),
        )
        for v in range(rng.randint(1, 2) if DeliveryMode.IN_PERSON in modes else 0)
    )
    ages = rng.choices([(None, None), (60, None), (50, None), (18, 25), (16, None)], weights=(70, 12, 6, 6, 6))[0]
    cost = rng.choices(
        [Cost(), Cost(rng.choice((200, 300, 500)), CostUnit.SESSION), Cost(rng.choice((1000, 2000)), CostUnit.MONTH)],
        weights=(60, 30, 10),
    )[0]
    return Service(
        service_id=f"svc-{number:06d}",
        name=name,
        description=f"{name} run by volunteers: {' '.join(rng.sample(words.split(), 3))}.",
        needs=frozenset(needs),
        delivery_modes=frozenset(modes),
        venues=venues,
        sessions=_sessions(rng),
        minimum_age=ages[0],
        maximum_age=ages[1],
        languages=frozenset({"en", rng.choice(LANGUAGES)}) if rng.random() < 0.1 else frozenset(),
        accessibility=frozenset(
            rng.sample(
                [Accessibility.LARGE_PRINT, Accessibility.EASY_READ, Accessibility.BSL_INTERPRETER], rng.randint(0, 1)
            )
        ),
        capacity=(capacity := rng.choices(list(CapacityStatus), weights=(80, 5, 10, 5))[0]),
        # Waits without drawing from rng, so directories of earlier seeds stay as they were: every
        # fourth waiting list has no estimate.
        wait_weeks=None if capacity is not CapacityStatus.WAITLIST or number % 4 == 0 else number % 20,
        cost=cost,
        version=1,
    )


def directory(count: int, *, seed: int = 7, centre: Location = CENTRE, radius_km: float = 12.0) -> list[Service]:
    rng = random.Random(seed)
    return [service(rng, number, centre, radius_km) for number in range(count)]


def person(rng: random.Random, centre: Location = CENTRE, radius_km: float = 8.0) -> Person:
    return Person(
        needs=tuple(rng.sample(list(NeedCategory), rng.randint(1, 3))),
        age_band=rng.choice(list(AgeBand)[1:]),
        location=Location(
            round(centre.latitude + rng.uniform(-1, 1) * radius_km / 111.2, 2),
            round(centre.longitude + rng.uniform(-1, 1) * radius_km / 66.0, 2),
        ),
        postcode_district=rng.choice(AREAS),
        travel_mode=rng.choice(list(TravelMode)),
        accessibility_needs=frozenset(rng.sample(list(Accessibility), rng.choice((0, 0, 0, 1)))),
        languages=frozenset({"en"}) if rng.random() < 0.9 else frozenset({rng.choice(LANGUAGES)}),
        interests=tuple(rng.sample(INTERESTS, rng.randint(0, 3))),
        availability=frozenset(
            (rng.choice(list(DayOfWeek)), rng.choice(list(PartOfDay))) for _ in range(rng.randint(0, 6))
        ),
        max_cost_pence=rng.choice((None, None, 0, 300)),
        accepts_waiting_list=rng.random() < 0.8,
    )
