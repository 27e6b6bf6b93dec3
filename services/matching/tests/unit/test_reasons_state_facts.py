"""On random people and directories, every reason of every suggestion checks out against the facts."""

import random
import re

import pytest
from linkwork_contracts.codes import NEED_TAXONOMY_TERMS, CapacityStatus, DeliveryMode
from linkwork_matching.adapters import synthetic
from linkwork_matching.domain.constraints import offer_distance_km
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.offer import Offer
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.ranker import Option, Ranker
from linkwork_matching.domain.reasons import ReasonKind
from linkwork_matching.domain.text import tokens
from linkwork_matching.domain.wording import DAY_PLURALS, cost_words, wait_words

pytestmark = pytest.mark.unit
DAYS = {plural: day for day, plural in DAY_PLURALS.items()}


def check_reason(person: Person, option: Option, kind: ReasonKind, text: str) -> None:
    service, offer = option.service, Offer(option.service, option.venue)
    if kind is ReasonKind.NEED:
        assert option.need in service.needs and option.need in person.needs
        assert text == "helps with " + NEED_TAXONOMY_TERMS[option.need].name.lower()
    elif kind is ReasonKind.DISTANCE:
        distance = offer_distance_km(person, offer)
        assert distance is not None and text == f"{distance:.1f} km away"
    elif kind is ReasonKind.DELIVERY:
        assert option.venue is None
        assert ("online" in text) == (
            DeliveryMode.ONLINE in service.delivery_modes and person.accepts_mode(DeliveryMode.ONLINE)
        )
    elif kind is ReasonKind.COST:
        assert text == cost_words(service.cost) and (text == "free") == service.cost.is_free
    elif kind is ReasonKind.SCHEDULE:
        match = re.search(r"(\w+days) (\d\d):(\d\d)", text)
        assert match is not None
        day, hour, minute = DAYS[match.group(1)], int(match.group(2)), int(match.group(3))
        session = next(s for s in offer.sessions if s.day == day and (s.starts.hour, s.starts.minute) == (hour, minute))
        if " fits " in text:
            assert (session.day, session.part_of_day) in person.availability
        if "not a time" in text:
            assert not any((s.day, s.part_of_day) in person.availability for s in offer.sessions)
    elif kind is ReasonKind.AGE:
        if service.minimum_age is not None:
            assert str(service.minimum_age) in text
        if service.maximum_age is not None:
            assert str(service.maximum_age) in text
    elif kind is ReasonKind.INTERESTS:
        words = set(tokens(f"{service.name} {service.description}"))
        for interest in text.removeprefix("matches interests: ").split(", "):
            assert interest in person.interests and set(tokens(interest)) & words
    elif kind is ReasonKind.CAPACITY:
        assert text.startswith("waiting list") == (service.capacity is CapacityStatus.WAITLIST)
        if service.wait_weeks is not None and service.capacity is CapacityStatus.WAITLIST:
            assert text == f"waiting list: {wait_words(service.wait_weeks)}"
        if text.endswith("free this week"):
            assert service.capacity is CapacityStatus.CAPACITY and service.places_remaining
    elif kind is ReasonKind.ACCESSIBILITY:
        assert person.accessibility_needs and text
    elif kind is ReasonKind.LANGUAGE:
        assert service.languages & person.usable_languages - {"en"}
    elif kind is ReasonKind.ALSO_MEETS:
        assert option.also_meets and set(option.also_meets) <= service.needs & set(person.needs)


def test_every_reason_given_is_true_of_the_service_and_person() -> None:
    index = ServiceIndex()
    for service in synthetic.directory(1500, seed=8):
        index.upsert(service)
    ranker = Ranker(index)
    rng = random.Random(12)
    checked = 0
    for _ in range(150):
        person = synthetic.person(rng)
        for option in ranker.suggest(person).ranked:
            kinds = [r.kind for r in option.reasons]
            assert kinds[0] is ReasonKind.NEED and len(kinds) == len(set(kinds) - {ReasonKind.EVIDENCE}) + kinds.count(
                ReasonKind.EVIDENCE
            )
            assert ReasonKind.COST in kinds
            assert (ReasonKind.DISTANCE in kinds) == (option.venue is not None)
            for reason in option.reasons:
                check_reason(person, option, reason.kind, reason.text)
                checked += 1
    assert checked > 1000
