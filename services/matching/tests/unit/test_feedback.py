"""Learning from follow-ups: evidence moves a service up, but one outcome is not evidence."""

from collections.abc import Callable

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.domain.effectiveness import EffectPrior, OutcomeTally, estimate
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Service, Venue

from .conftest import ranker_over

pytestmark = pytest.mark.unit
NEED = NeedCategory.PHYSICAL_ACTIVITY


def order(ranker: Ranker, person: Person) -> list[str]:
    return [option.service.service_id for option in ranker.suggest(person).ranked]


def test_outcomes_favouring_one_of_two_equal_services_rank_it_first(
    service: Callable[..., Service], person: Callable[..., Person]
) -> None:
    ranker = ranker_over(service("a"), service("b"))
    baseline = order(ranker, person())
    assert set(baseline) == {"a", "b"}
    favoured, other = baseline[1], baseline[0]  # favour the one the tie-break put second
    ranker.record_outcomes(favoured, NEED, OutcomeTally(outcomes=12, attended=10, measured=8, wellbeing_change=20.0))
    ranker.record_outcomes(other, NEED, OutcomeTally(outcomes=12, attended=4, measured=8, wellbeing_change=-2.0))
    assert order(ranker, person()) == [favoured, other]


def test_a_single_good_outcome_does_not_jump_a_service_to_the_top(
    service: Callable[..., Service], person: Callable[..., Person], north: Callable[..., Venue]
) -> None:
    ranker = ranker_over(service("near", venues=(north(0.5),)), service("farther", venues=(north(1.0),)))
    assert order(ranker, person()) == ["near", "farther"]
    one = OutcomeTally(outcomes=1, attended=1, measured=1, wellbeing_change=6.0)
    ranker.record_outcomes("farther", NEED, one)
    assert order(ranker, person()) == ["near", "farther"]
    # The same record repeated twenty times is evidence, and it does lift the service.
    many = OutcomeTally(outcomes=20, attended=20, measured=20, wellbeing_change=120.0)
    ranker.record_outcomes("farther", NEED, many)
    assert order(ranker, person()) == ["farther", "near"]


def test_outcomes_count_only_for_the_need_they_were_recorded_for(
    service: Callable[..., Service], person: Callable[..., Person]
) -> None:
    both = frozenset({NEED, NeedCategory.LONELINESS_ISOLATION})
    ranker = ranker_over(service("a", needs=both), service("b", needs=both))
    lonely = person(needs=(NeedCategory.LONELINESS_ISOLATION,))
    before = order(ranker, lonely)
    ranker.record_outcomes(before[1], NEED, OutcomeTally(20, 20, 20, 100.0))
    assert order(ranker, lonely) == before


def test_no_evidence_is_exactly_the_prior_so_new_providers_are_not_buried() -> None:
    assert estimate(OutcomeTally()).score == 0.0
    prior = EffectPrior()
    typical = OutcomeTally(outcomes=50, attended=30, measured=50, wellbeing_change=0.0)
    assert estimate(typical, prior).score == pytest.approx(0.0)


def test_shrinkage_grows_with_evidence_and_stays_in_range() -> None:
    scores = [estimate(OutcomeTally(n, n, n, 5.0 * n)).score for n in (1, 3, 10, 30, 100)]
    assert scores == sorted(scores)
    assert 0 < scores[0] < 0.2 and scores[-1] <= 1.0
    worst = estimate(OutcomeTally(100, 0, 100, -900.0)).score
    assert -1.0 <= worst < -0.9
