"""The vectorised index must answer exactly as the one-offer-at-a-time reference rules do."""

import random
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest
from linkwork_contracts.codes import ConditionGroup, EligibilityCode, NeedCategory, Sex
from linkwork_matching.adapters import synthetic
from linkwork_matching.domain.constraints import check, offer_distance_km
from linkwork_matching.domain.criteria import compile_criteria
from linkwork_matching.domain.effectiveness import OutcomeTally, estimate
from linkwork_matching.domain.eligibility import Area, LocalAuthority, LsoaSet, Polygon, PostcodePrefix
from linkwork_matching.domain.encoding import session_slots, slots_mask
from linkwork_matching.domain.geo import TravelPolicy
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.offer import offers_of
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.scoring import Weights, caveat_penalty, score
from linkwork_matching.domain.service import Service
from linkwork_matching.domain.text import tokens

pytestmark = pytest.mark.unit
Scores = npt.NDArray[np.float64]
LSOAS = tuple(f"E0101{n:04d}" for n in range(1200, 1212))


def reference(
    index: ServiceIndex,
    person: Person,
    need: NeedCategory,
    text: Scores | None,
    weights: Weights,
    travel: TravelPolicy,
    effects: dict[tuple[str, NeedCategory], float],
) -> dict[str, float]:
    criteria = compile_criteria(person, index.languages, travel)
    best: dict[str, float] = {}
    for service in index.services():
        for offer in offers_of(service):
            if check(person, offer, need, criteria.reach_km) is not None:
                continue
            ordinal = index._ordinal_of[service.service_id]
            value = score(
                other_needs_met=len(set(person.needs) & service.needs) - 1,
                bm25=0.0 if text is None else float(text[ordinal]),
                distance_km=offer_distance_km(person, offer),
                decay_km=criteria.decay_km,
                available=slots_mask(person.availability),
                session_slots=session_slots(offer.sessions),
                effect=effects.get((service.service_id, need), 0.0),
                penalty=caveat_penalty(person, offer, weights),
                weights=weights,
            )
            best[service.service_id] = max(best.get(service.service_id, -9.0), value)
    return best


def vectorised(
    index: ServiceIndex, person: Person, need: NeedCategory, text: Scores | None, weights: Weights, travel: TravelPolicy
) -> dict[str, float]:
    criteria = compile_criteria(person, index.languages, travel)
    hits = index.search(criteria, need, text, weights)
    best: dict[str, float] = {}
    for ordinal, value in zip(hits.ordinals.tolist(), hits.scores.tolist(), strict=True):
        service_id = index.service_at(ordinal).service_id
        best[service_id] = max(best.get(service_id, -9.0), value)
    return best


def test_eligibility_and_scores_agree_on_a_random_directory() -> None:
    rng = random.Random(11)
    services = synthetic.directory(600, seed=3)
    index = ServiceIndex()
    for service in services:
        index.upsert(service)
    # Churn: replace and withdraw some, so dead rows are present too.
    for service in rng.sample(services, 100):
        index.upsert(synthetic.service(rng, int(service.service_id[4:]), synthetic.CENTRE, 12.0))
    for service in rng.sample(services, 50):
        index.remove(service.service_id)
    effects: dict[tuple[str, NeedCategory], float] = {}
    for service in rng.sample(index.services(), 40):
        need = next(iter(service.needs))
        effects[(service.service_id, need)] = estimate(OutcomeTally(10, rng.randint(0, 10))).score
        index.set_effect(service.service_id, need, effects[(service.service_id, need)])
    weights, travel = Weights(), TravelPolicy()
    compared = 0
    for _ in range(60):
        person = synthetic.person(rng)
        text = index.text_scores(compile_criteria(person, index.languages, travel))
        for need in person.needs:
            expected = reference(index, person, need, text, weights, travel, effects)
            actual = vectorised(index, person, need, text, weights, travel)
            assert actual.keys() == expected.keys()
            for service_id, value in expected.items():
                assert actual[service_id] == pytest.approx(value, abs=1e-12)
            compared += len(expected)
    assert compared > 500  # the comparison covered many eligible services, not an empty set


def test_text_scores_are_zero_for_services_without_the_words() -> None:
    index = ServiceIndex()
    for service in synthetic.directory(200, seed=5):
        index.upsert(service)
    person = synthetic.person(random.Random(1))
    criteria = compile_criteria(Person(needs=person.needs, interests=("singing",)), index.languages, TravelPolicy())
    text = index.text_scores(criteria)
    assert text is not None
    for service in index.services():
        ordinal = index._ordinal_of[service.service_id]
        mentions = "sing" in tokens(f"{service.name} {service.description}")
        assert (text[ordinal] > 0) == mentions
    assert np.count_nonzero(text) > 0


def _restricted(rng: random.Random, service: Service) -> Service:
    """The same service with a random mix of areas and eligibility codes (issue 21)."""
    areas: tuple[Area, ...] = tuple(
        rng.sample(
            [
                PostcodePrefix("LS", "Leeds"),
                PostcodePrefix(rng.choice(synthetic.AREAS)),
                PostcodePrefix("BD"),
                LocalAuthority("E08000035", "Leeds"),
                LsoaSet(frozenset(rng.sample(LSOAS, 3))),
                Polygon((((-1.60, 53.78), (-1.50, 53.78), (-1.50, 53.84), (-1.60, 53.84), (-1.60, 53.78)),), "Central"),
            ],
            rng.choice((0, 1, 1, 2)),
        )
    )
    codes = set(rng.sample(sorted(EligibilityCode), rng.choice((0, 0, 1, 2))))
    codes -= {EligibilityCode.MEN} if EligibilityCode.WOMEN in codes else set()
    if not areas:
        codes.discard(EligibilityCode.RESIDENTS)
    groups = (
        frozenset(rng.sample(sorted(ConditionGroup), 2)) if EligibilityCode.CONDITION_GROUP in codes else frozenset()
    )
    return replace(service, areas=areas, eligibility=frozenset(codes), condition_groups=groups)


def _circumstances(rng: random.Random, person: Person) -> Person:
    return replace(
        person,
        postcode_district=rng.choice((*synthetic.AREAS, "BD1", None)),
        lsoa=rng.choice((*LSOAS, None)),
        local_authority=rng.choice(("E08000035", "E08000032", None)),
        sex=rng.choice((*Sex, None)),
        carer=rng.choice((True, False, None)),
        veteran=rng.choice((True, False, None)),
        condition_groups=rng.choice((None, frozenset(), frozenset(rng.sample(sorted(ConditionGroup), 2)))),
    )


def test_eligibility_agrees_with_the_reference_for_service_areas_and_eligibility_codes() -> None:
    """The differential test over the providers' rules: area kinds, codes, unknown facts."""
    rng = random.Random(21)
    index = ServiceIndex()
    services = synthetic.directory(500, seed=21)
    for service in services:
        index.upsert(_restricted(rng, service) if rng.random() < 0.5 else service)
    weights, travel = Weights(), TravelPolicy()
    compared = restricted_offered = 0
    for _ in range(80):
        person = _circumstances(rng, synthetic.person(rng))
        text = index.text_scores(compile_criteria(person, index.languages, travel))
        for need in person.needs:
            expected = reference(index, person, need, text, weights, travel, {})
            actual = vectorised(index, person, need, text, weights, travel)
            assert actual.keys() == expected.keys()
            compared += len(expected)
            restricted_offered += sum(1 for sid in expected if index.get(sid).restricted)  # type: ignore[union-attr]
    assert compared > 300 and restricted_offered > 30  # restricted services were offered, and refused
