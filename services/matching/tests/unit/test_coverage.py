"""Every need gets an option before any need gets a second one."""

from collections.abc import Callable

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.domain.coverage import interleave
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Service, Venue

pytestmark = pytest.mark.unit


def test_interleave_takes_one_per_need_per_round_and_skips_repeats() -> None:
    assert interleave([["a1", "a2", "a3"], ["b1"], ["a1", "c2"]], key=str) == ["a1", "b1", "c2", "a2", "a3"]
    assert interleave([], key=str) == []


def test_a_weaker_need_is_covered_before_a_strong_need_gets_its_second_option(
    service: Callable[..., Service], person: Callable[..., Person], north: Callable[..., Venue]
) -> None:
    index = ServiceIndex()
    walks = [service(f"walk-{km}", venues=(north(km),)) for km in (0.2, 0.3, 0.4)]
    debt = service(
        "debt-far", needs=frozenset({NeedCategory.DEBT_MONEY_BENEFITS}), name="Money advice", venues=(north(1.5),)
    )
    for s in [*walks, debt]:
        index.upsert(s)
    someone = person(needs=(NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.DEBT_MONEY_BENEFITS))
    suggestions = Ranker(index).suggest(someone, per_need=2, limit=3)
    assert debt.service_id not in [o.service.service_id for o in suggestions.needs[0].options]
    assert [o.service.service_id for o in suggestions.ranked] == ["walk-0.2", "debt-far", "walk-0.3"]
    assert [len(n.options) for n in suggestions.needs] == [2, 1]
    assert suggestions.ranked[0].score > suggestions.ranked[1].score  # the order is coverage's
