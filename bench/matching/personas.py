"""Personas for the evaluation: people with exact facts (age, home), from which both the labels
(exact facts) and the ranker's input (the pseudonymised view an event carries) are derived."""

from __future__ import annotations

import random
from dataclasses import dataclass

from linkwork_contracts.codes import (
    Accessibility,
    DayOfWeek,
    DeliveryMode,
    NeedCategory,
    PartOfDay,
    TravelMode,
    age_band,
)
from linkwork_matching.adapters.synthetic import INTERESTS, LANGUAGES
from linkwork_matching.domain.person import Location, Person

# Personas mention the interests and speak the languages of the synthetic people the tests use
# (INTERESTS, LANGUAGES); labels.py keeps its own keywords per interest, apart from the ranker's stemmer.


@dataclass(frozen=True)
class Persona:
    key: str
    age: int
    needs: tuple[NeedCategory, ...]
    latitude: float
    longitude: float
    travel: TravelMode
    accessibility: frozenset[Accessibility]
    languages: frozenset[str]
    interpreter: bool
    interests: tuple[str, ...]
    free: frozenset[tuple[DayOfWeek, PartOfDay]]
    budget_pence: int | None  # most per session; None: no limit
    remote_ok: bool
    waiting_list_ok: bool

    def as_referral(self) -> Person:
        """What the ranker is told: an age band and a home rounded to about 1 km, as events carry."""
        modes = {DeliveryMode.IN_PERSON}
        if self.remote_ok:
            modes |= {DeliveryMode.ONLINE, DeliveryMode.TELEPHONE}
        return Person(
            needs=self.needs,
            age_band=age_band(self.age),
            location=Location(round(self.latitude, 2), round(self.longitude, 2)),
            travel_mode=self.travel,
            delivery_modes=frozenset(modes),
            accessibility_needs=self.accessibility,
            languages=self.languages,
            interpreter_needed=self.interpreter,
            interests=self.interests,
            availability=self.free,
            max_cost_pence=self.budget_pence,
            accepts_waiting_list=self.waiting_list_ok,
        )


def personas(count: int, *, seed: int, centre: tuple[float, float], radius_km: float) -> list[Persona]:
    rng = random.Random(seed)
    people = []
    for number in range(count):
        speaks_english = rng.random() < 0.88
        languages = {"en"} if speaks_english else {rng.choice(LANGUAGES)}
        people.append(
            Persona(
                key=f"persona-{number:03d}",
                age=rng.randint(18, 92),
                needs=tuple(rng.sample(list(NeedCategory), rng.choice((1, 1, 2, 2, 3)))),
                latitude=centre[0] + rng.uniform(-1, 1) * radius_km / 111.2,
                longitude=centre[1] + rng.uniform(-1, 1) * radius_km / 66.0,
                travel=rng.choices(list(TravelMode), weights=(40, 45, 15))[0],
                accessibility=frozenset(
                    rng.sample(
                        [
                            Accessibility.STEP_FREE_ACCESS,
                            Accessibility.HEARING_LOOP,
                            Accessibility.SEATING_AVAILABLE,
                            Accessibility.LARGE_PRINT,
                        ],
                        rng.choice((0, 0, 0, 1)),
                    )
                ),
                languages=frozenset(languages),
                interpreter=not speaks_english and rng.random() < 0.5,
                interests=tuple(rng.sample(INTERESTS, rng.choice((0, 1, 2, 2, 3)))),
                free=frozenset(
                    (rng.choice(list(DayOfWeek)), rng.choice(list(PartOfDay))) for _ in range(rng.choice((0, 3, 5, 8)))
                ),
                budget_pence=rng.choice((None, None, 0, 300)),
                remote_ok=rng.random() < 0.5,
                waiting_list_ok=rng.random() < 0.7,
            )
        )
    return people
