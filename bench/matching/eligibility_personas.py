"""Persona evaluation of eligibility (issue 21): violations (an ineligible option offered) and misses
(an eligible option not offered).

The directory fixture and every persona's expected eligible and ineligible services are written by
hand from the providers' rules as a link worker reads them, apart from the ranker's code. Services
enter matching as the directory publishes them: service-changed v2 events, mapped by the adapter.
Run by `services/matching/tests/unit/test_persona_eligibility.py` (target: 0 violations, 0 misses)
and reported by `python -m bench.matching --eligibility` beside nDCG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    ConditionGroup,
    DeliveryMode,
    NeedCategory,
    Sex,
    TravelMode,
)
from linkwork_contracts.events import ServiceChangedV2
from linkwork_matching.adapters.inbound import service_from_event
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.person import Location, Person
from linkwork_matching.domain.ranker import Ranker

N = NeedCategory
IN_PERSON, ONLINE, PHONE = DeliveryMode.IN_PERSON, DeliveryMode.ONLINE, DeliveryMode.TELEPHONE
# Approximate district centres (the same hand-entered figures as the matching service's table).
PLACES = {
    "LS1": (53.797, -1.548),
    "LS2": (53.801, -1.545),
    "LS6": (53.819, -1.575),
    "LS7": (53.824, -1.537),
    "LS8": (53.823, -1.510),
    "LS9": (53.796, -1.509),
    "LS10": (53.772, -1.534),
    "LS11": (53.779, -1.556),
    "LS13": (53.803, -1.642),
    "IV2": (57.48, -4.22),
}
LEEDS_COUNCIL = "E08000035"
HOLBECK_LSOA = "E01011229"
HOLBECK = (((-1.58, 53.77), (-1.54, 53.77), (-1.54, 53.80), (-1.58, 53.80), (-1.58, 53.77)),)


def _service(
    key: str,
    need: NeedCategory,
    modes: tuple[DeliveryMode, ...],
    *,
    at: str | None = None,
    areas: tuple[dict[str, Any], ...] = (),
    eligibility: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    languages: tuple[str, ...] = ("en",),
    pence: int = 0,
    ages: tuple[int | None, int | None] = (None, None),
    access: tuple[str, ...] = (),
    capacity: dict[str, Any] | None = None,
    routes: tuple[str, ...] = ("link-worker",),
) -> ServiceChangedV2:
    sid = uuid5(NAMESPACE_URL, f"urn:linkwork:persona-service:{key}")
    locations = []
    if at is not None:
        latitude, longitude = PLACES[at]
        locations.append(
            {"id": uuid5(sid, "venue"), "name": f"{key} venue", "latitude": latitude, "longitude": longitude}
        )
    return ServiceChangedV2.model_validate(
        {
            "service_id": sid,
            "revision": 1,
            "changed_at": datetime(2026, 1, 5, tzinfo=UTC),
            "name": key,
            "organisation": {"id": uuid5(sid, "org"), "name": f"{key} trust"},
            "status": "active",
            "need_categories": [need],
            "delivery_modes": modes,
            "locations": locations,
            "cost": {"free": True} if not pence else {"free": False, "amount_pence": pence, "per": "session"},
            "min_age": ages[0],
            "max_age": ages[1],
            "accessibility": access,
            "languages": languages,
            "capacity": capacity or {},
            "referral_routes": routes,
            "last_verified_on": date(2026, 1, 5),
            "service_areas": areas,
            "eligibility": eligibility,
            "condition_groups": groups,
        }
    )


LEEDS = ({"kind": "postcode", "prefix": "LS", "name": "Leeds"},)
DIRECTORY: tuple[ServiceChangedV2, ...] = (
    _service("holbeck-housing-advice", N.HOUSING, (ONLINE,), areas=LEEDS, eligibility=("residents",)),
    _service("national-housing-line", N.HOUSING, (PHONE,)),
    _service("inverness-housing-hub", N.HOUSING, (IN_PERSON,), at="IV2", areas=({"kind": "postcode", "prefix": "IV"},)),
    _service("ls6-health-walk", N.PHYSICAL_ACTIVITY, (IN_PERSON,), at="LS6", access=("step-free-access",)),
    _service("women-only-swim", N.PHYSICAL_ACTIVITY, (IN_PERSON,), at="LS9", eligibility=("women",), pence=300),
    _service("youth-football", N.PHYSICAL_ACTIVITY, (IN_PERSON,), at="LS10", ages=(16, 25)),
    _service("bradford-carers-line", N.CARERS_SUPPORT, (PHONE,), areas=({"kind": "postcode", "prefix": "BD"},)),
    _service("leeds-carers-cafe", N.CARERS_SUPPORT, (IN_PERSON,), at="LS7", eligibility=("carers",)),
    _service("veterans-breakfast", N.LONELINESS_ISOLATION, (IN_PERSON,), at="LS11", eligibility=("veterans",)),
    _service("mens-shed", N.LONELINESS_ISOLATION, (IN_PERSON,), at="LS13", eligibility=("men",)),
    _service("polish-club", N.LONELINESS_ISOLATION, (IN_PERSON,), at="LS8", languages=("pl",)),
    _service("over-60s-lunch", N.LONELINESS_ISOLATION, (IN_PERSON,), at="LS6", ages=(60, None)),
    _service("bsl-social", N.LONELINESS_ISOLATION, (IN_PERSON,), at="LS1", access=("bsl-interpreter",)),
    _service(
        "leeds-phone-befriending",
        N.LONELINESS_ISOLATION,
        (PHONE,),
        areas=({"kind": "local-authority", "code": LEEDS_COUNCIL, "name": "Leeds"},),
    ),
    _service(
        "dementia-singing",
        N.ARTS_CREATIVITY_CULTURE,
        (IN_PERSON,),
        at="LS6",
        eligibility=("condition-group",),
        groups=("dementia",),
    ),
    _service("paid-pottery", N.ARTS_CREATIVITY_CULTURE, (IN_PERSON,), at="LS2", pence=1500),
    _service(
        "full-choir",
        N.ARTS_CREATIVITY_CULTURE,
        (IN_PERSON,),
        at="LS6",
        capacity={"places_per_week": 20, "places_remaining": 0},
    ),
    _service(
        "waitlist-allotment",
        N.NATURE_GREEN_SPACE,
        (IN_PERSON,),
        at="LS6",
        capacity={"places_per_week": 10, "places_remaining": 0, "waiting_list": True},
    ),
    _service(
        "holbeck-garden",
        N.NATURE_GREEN_SPACE,
        (IN_PERSON,),
        at="LS11",
        areas=({"kind": "polygon", "name": "Holbeck", "polygon": {"coordinates": HOLBECK}},),
    ),
    _service(
        "holbeck-debt-line",
        N.DEBT_MONEY_BENEFITS,
        (PHONE,),
        areas=({"kind": "lsoa", "lsoas": [HOLBECK_LSOA], "name": "Holbeck"},),
    ),
    _service(
        "leeds-money-online",
        N.DEBT_MONEY_BENEFITS,
        (ONLINE,),
        areas=({"kind": "local-authority", "code": LEEDS_COUNCIL, "name": "Leeds"},),
    ),
    _service("drop-in-advice", N.DEBT_MONEY_BENEFITS, (IN_PERSON,), at="LS2", routes=("drop-in",)),
    _service("known-clients-counselling", N.MOOD_ANXIETY_STRESS, (PHONE,), eligibility=("known-to-service",)),
    _service("online-mindfulness", N.MOOD_ANXIETY_STRESS, (ONLINE,)),
)


def service_id(name: str) -> str:
    return next(str(event.service_id) for event in DIRECTORY if event.name == name)


@dataclass(frozen=True)
class Persona:
    name: str
    person: Person
    eligible: frozenset[str]  # must be offered (every one is within reach and meets every rule)
    ineligible: frozenset[str]  # must not be offered
    gap: bool = False  # expected reported as a gap in provision for its (single) need
    why: str = ""


def _person(need: NeedCategory | tuple[NeedCategory, ...], at: str = "LS6", **facts: Any) -> Person:
    latitude, longitude = PLACES[at]
    needs = need if isinstance(need, tuple) else (need,)
    defaults: dict[str, Any] = {
        "needs": needs,
        "age_band": AgeBand.AGE_35_44,
        "location": Location(round(latitude, 2), round(longitude, 2)),
        "postcode_district": at,
        "travel_mode": TravelMode.PUBLIC_TRANSPORT,
    }
    return Person(**{**defaults, **facts})


def _p(name: str, person: Person, eligible: set[str], ineligible: set[str], **more: Any) -> Persona:
    return Persona(name, person, frozenset(eligible), frozenset(ineligible), **more)


HOUSING_LEEDS = {"holbeck-housing-advice", "national-housing-line"}
PERSONAS: tuple[Persona, ...] = (
    # Areas
    _p(
        "Inverness, housing, 5 km, location only (the issue's case)",
        Person(needs=(N.HOUSING,), location=Location(57.5, -4.2)),
        {"national-housing-line"},
        {"holbeck-housing-advice"},
        why="Leeds-only online advice is not for Inverness",
    ),
    _p(
        "Inverness, housing, national line excluded by choice: a gap",
        Person(needs=(N.HOUSING,), location=Location(57.5, -4.2), delivery_modes=frozenset({ONLINE})),
        set(),
        {"holbeck-housing-advice", "national-housing-line"},
        gap=True,
    ),
    _p("Leeds LS6, housing", _person(N.HOUSING), HOUSING_LEEDS, {"inverness-housing-hub"}),
    _p(
        "Inverness IV2 district, housing, in person nearby",
        _person(N.HOUSING, at="IV2"),
        {"inverness-housing-hub", "national-housing-line"},
        {"holbeck-housing-advice"},
    ),
    _p(
        "Bradford BD1 carer",
        _person(N.CARERS_SUPPORT, at="LS6", postcode_district="BD1"),
        {"bradford-carers-line", "leeds-carers-cafe"},
        set(),
    ),
    _p(
        "Leeds carer: Bradford's line is not for Leeds",
        _person(N.CARERS_SUPPORT),
        {"leeds-carers-cafe"},
        {"bradford-carers-line"},
    ),
    _p(
        "Holbeck LSOA, debt",
        _person(N.DEBT_MONEY_BENEFITS, at="LS11", lsoa=HOLBECK_LSOA, local_authority=LEEDS_COUNCIL),
        {"holbeck-debt-line", "leeds-money-online", "drop-in-advice"},
        set(),
    ),
    _p(
        "Another Leeds LSOA, debt",
        _person(N.DEBT_MONEY_BENEFITS, at="LS6", lsoa="E01011300", local_authority=LEEDS_COUNCIL),
        {"leeds-money-online", "drop-in-advice"},
        {"holbeck-debt-line"},
    ),
    _p(
        "Debt, council and LSOA not recorded",
        _person(N.DEBT_MONEY_BENEFITS),
        {"drop-in-advice"},
        {"holbeck-debt-line", "leeds-money-online"},
        why="listed to check, not offered",
    ),
    _p(
        "Another council, debt",
        _person(N.DEBT_MONEY_BENEFITS, local_authority="E08000032"),
        {"drop-in-advice"},
        {"leeds-money-online", "holbeck-debt-line"},
    ),
    _p("Inside the Holbeck polygon, gardens", _person(N.NATURE_GREEN_SPACE, at="LS11"), {"holbeck-garden"}, set()),
    _p(
        "LS6, outside the polygon, gardens",
        _person(N.NATURE_GREEN_SPACE),
        {"waitlist-allotment"},
        {"holbeck-garden"},
    ),
    _p(
        "Leeds council resident, loneliness by phone",
        _person(N.LONELINESS_ISOLATION, local_authority=LEEDS_COUNCIL, delivery_modes=frozenset({PHONE})),
        {"leeds-phone-befriending"},
        {"polish-club", "over-60s-lunch", "mens-shed", "veterans-breakfast"},
    ),
    # Eligibility codes
    _p(
        "Woman, physical activity",
        _person(N.PHYSICAL_ACTIVITY, sex=Sex.FEMALE),
        {"ls6-health-walk", "women-only-swim"},
        {"youth-football"},
    ),
    _p(
        "Man, physical activity",
        _person(N.PHYSICAL_ACTIVITY, sex=Sex.MALE),
        {"ls6-health-walk"},
        {"women-only-swim", "youth-football"},
    ),
    _p(
        "Sex not recorded, physical activity",
        _person(N.PHYSICAL_ACTIVITY),
        {"ls6-health-walk"},
        {"women-only-swim"},
        why="listed to check",
    ),
    _p(
        "Veteran man, loneliness",
        _person(N.LONELINESS_ISOLATION, sex=Sex.MALE, veteran=True, local_authority=LEEDS_COUNCIL),
        {"veterans-breakfast", "mens-shed", "bsl-social", "leeds-phone-befriending"},
        {"polish-club", "over-60s-lunch"},
    ),
    _p(
        "Not a veteran, woman, loneliness",
        _person(N.LONELINESS_ISOLATION, sex=Sex.FEMALE, veteran=False),
        {"bsl-social"},
        {"veterans-breakfast", "mens-shed", "polish-club"},
    ),
    _p(
        "Carer stated false, carers' support",
        _person(N.CARERS_SUPPORT, carer=False),
        set(),
        {"leeds-carers-cafe", "bradford-carers-line"},
        gap=True,
    ),
    _p(
        "Living with dementia, arts",
        _person(N.ARTS_CREATIVITY_CULTURE, condition_groups=frozenset({ConditionGroup.DEMENTIA})),
        {"dementia-singing", "paid-pottery"},
        {"full-choir"},
    ),
    _p(
        "No dementia recorded, arts",
        _person(N.ARTS_CREATIVITY_CULTURE, condition_groups=frozenset()),
        {"paid-pottery"},
        {"dementia-singing", "full-choir"},
    ),
    _p(
        "Known to the counselling service, mood",
        _person(N.MOOD_ANXIETY_STRESS, known_to=frozenset({service_id("known-clients-counselling")})),
        {"known-clients-counselling", "online-mindfulness"},
        set(),
    ),
    _p(
        "New to the counselling service, mood",
        _person(N.MOOD_ANXIETY_STRESS),
        {"online-mindfulness"},
        {"known-clients-counselling"},
    ),
    # Language
    _p(
        "Polish speaker with an interpreter need, loneliness",
        _person(N.LONELINESS_ISOLATION, languages=frozenset({"pl", "en"}), interpreter_needed=True),
        {"polish-club"},
        {"bsl-social", "over-60s-lunch"},
    ),
    _p(
        "English and Polish speaker, loneliness",
        _person(N.LONELINESS_ISOLATION, languages=frozenset({"pl", "en"})),
        {"polish-club", "bsl-social"},
        set(),
    ),
    # Cost
    _p(
        "Free only, arts",
        _person(N.ARTS_CREATIVITY_CULTURE, max_cost_pence=0),
        set(),
        {"paid-pottery", "full-choir", "dementia-singing"},
        gap=True,
    ),
    _p(
        "Up to £3, woman, activity",
        _person(N.PHYSICAL_ACTIVITY, sex=Sex.FEMALE, max_cost_pence=300),
        {"women-only-swim", "ls6-health-walk"},
        set(),
    ),
    # Accessibility
    _p(
        "Needs step-free access, activity",
        _person(N.PHYSICAL_ACTIVITY, accessibility_needs=frozenset({Accessibility.STEP_FREE_ACCESS})),
        {"ls6-health-walk"},
        {"youth-football", "women-only-swim"},
    ),
    _p(
        "Needs a BSL interpreter, loneliness",
        _person(N.LONELINESS_ISOLATION, accessibility_needs=frozenset({Accessibility.BSL_INTERPRETER})),
        {"bsl-social"},
        {"over-60s-lunch", "polish-club", "mens-shed"},
    ),
    # Delivery mode
    _p(
        "Online only, mood",
        _person(N.MOOD_ANXIETY_STRESS, delivery_modes=frozenset({ONLINE})),
        {"online-mindfulness"},
        {"known-clients-counselling"},
    ),
    _p(
        "In person only, Leeds housing: remote advice is not in person",
        _person(N.HOUSING, delivery_modes=frozenset({IN_PERSON})),
        set(),
        {"holbeck-housing-advice", "national-housing-line", "inverness-housing-hub"},
        gap=True,
    ),
    # Age
    _p(
        "Aged 18-24, activity",
        _person(N.PHYSICAL_ACTIVITY, age_band=AgeBand.AGE_18_24),
        {"youth-football", "ls6-health-walk"},
        set(),
    ),
    _p(
        "Aged 75-84, loneliness",
        _person(N.LONELINESS_ISOLATION, age_band=AgeBand.AGE_75_84),
        {"over-60s-lunch", "bsl-social"},
        set(),
    ),
    _p(
        "Aged 35-44, loneliness: the over-60s lunch is not for them",
        _person(N.LONELINESS_ISOLATION),
        {"bsl-social"},
        {"over-60s-lunch"},
    ),
    # Capacity
    _p(
        "Accepts a waiting list, gardens",
        _person(N.NATURE_GREEN_SPACE),
        {"waitlist-allotment"},
        set(),
    ),
    _p(
        "No waiting list, gardens: nothing",
        _person(N.NATURE_GREEN_SPACE, accepts_waiting_list=False),
        set(),
        {"waitlist-allotment", "holbeck-garden"},
        gap=True,
    ),
    # Several needs at once
    _p(
        "Carer in Holbeck with debt worries",
        _person(
            (N.CARERS_SUPPORT, N.DEBT_MONEY_BENEFITS),
            at="LS11",
            lsoa=HOLBECK_LSOA,
            local_authority=LEEDS_COUNCIL,
        ),
        {"leeds-carers-cafe", "holbeck-debt-line", "leeds-money-online", "drop-in-advice"},
        {"bradford-carers-line"},
    ),
)


@dataclass
class Evaluation:
    personas: int = 0
    violations: list[str] = field(default_factory=list)  # "persona: service offered though ineligible"
    misses: list[str] = field(default_factory=list)  # "persona: eligible service not offered"
    gap_errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "personas": self.personas,
            "services": len(DIRECTORY),
            "violations": len(self.violations),
            "misses": len(self.misses),
            "gap_errors": len(self.gap_errors),
            "details": [*self.violations, *self.misses, *self.gap_errors],
        }


def ranker() -> Ranker:
    index = ServiceIndex()
    for event in DIRECTORY:
        index.upsert(service_from_event(event))
    return Ranker(index)


def evaluate(matcher: Ranker | None = None, personas: tuple[Persona, ...] = PERSONAS) -> Evaluation:
    matcher = matcher or ranker()
    result = Evaluation(personas=len(personas))
    for persona in personas:
        # Every eligible option counts, not only the first few: a miss is an eligible service the
        # person would never see, however far down the list.
        suggestions = matcher.suggest(persona.person, per_need=len(DIRECTORY), limit=50)
        offered = {o.service.name for n in suggestions.needs for o in n.options}
        result.violations += [f"{persona.name}: offered {s}" for s in sorted(offered & persona.ineligible)]
        result.misses += [f"{persona.name}: missed {s}" for s in sorted(persona.eligible - offered)]
        if persona.gap != bool(suggestions.gaps):
            result.gap_errors.append(f"{persona.name}: gap expected {persona.gap}, got {list(suggestions.gaps)}")
    return result
