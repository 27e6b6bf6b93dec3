"""Providers' own rules (issue 21): service areas for every delivery mode, eligibility codes, routes.

A service restricted to areas is offered only to people known to live inside one; when the
person's area is unknown it is listed to check, never offered; an ineligible service never counts
against a gap, and the gap says which rule excluded the candidates near enough."""

import pytest
from linkwork_contracts.codes import ConditionGroup, DeliveryMode, EligibilityCode, NeedCategory, ReferralRoute, Sex
from linkwork_matching.domain.constraints import Constraint, check
from linkwork_matching.domain.eligibility import (
    LocalAuthority,
    LsoaSet,
    PersonPlace,
    Polygon,
    PostcodePrefix,
    Verdict,
    area_verdict,
)
from linkwork_matching.domain.offer import offers_of
from linkwork_matching.domain.person import Location, Person

from .conftest import PersonOf, ServiceOf, ranker_over, suggested_ids

pytestmark = pytest.mark.unit

LEEDS = PostcodePrefix("LS", "Leeds")
# Holbeck, roughly: a box around (53.785, -1.56), closed, with a hole in the middle.
HOLBECK = Polygon(
    (
        ((-1.58, 53.77), (-1.54, 53.77), (-1.54, 53.80), (-1.58, 53.80), (-1.58, 53.77)),
        ((-1.565, 53.780), (-1.555, 53.780), (-1.555, 53.790), (-1.565, 53.790), (-1.565, 53.780)),
    ),
    "Holbeck",
)


@pytest.mark.parametrize(
    ("area", "place", "verdict"),
    [
        (LEEDS, PersonPlace(postcode_district="LS6"), Verdict.INSIDE),
        (LEEDS, PersonPlace(postcode_district="L6"), Verdict.OUTSIDE),
        (LEEDS, PersonPlace(postcode_district="LS"), Verdict.INSIDE),
        (PostcodePrefix("LS6"), PersonPlace(postcode_district="LS6"), Verdict.INSIDE),
        (PostcodePrefix("LS6"), PersonPlace(postcode_district="LS16"), Verdict.OUTSIDE),
        (PostcodePrefix("E1"), PersonPlace(postcode_district="E1W"), Verdict.OUTSIDE),
        (PostcodePrefix("E"), PersonPlace(postcode_district="E1W"), Verdict.INSIDE),
        (LEEDS, PersonPlace(latitude=53.8, longitude=-1.55), Verdict.UNKNOWN),
        (LocalAuthority("E08000035"), PersonPlace(local_authority="E08000035"), Verdict.INSIDE),
        (LocalAuthority("E08000035"), PersonPlace(local_authority="E08000036"), Verdict.OUTSIDE),
        (LocalAuthority("E08000035"), PersonPlace(postcode_district="LS6"), Verdict.UNKNOWN),
        (LsoaSet(frozenset({"E01011229"})), PersonPlace(lsoa="E01011229"), Verdict.INSIDE),
        (LsoaSet(frozenset({"E01011229"})), PersonPlace(lsoa="E01011230"), Verdict.OUTSIDE),
        (HOLBECK, PersonPlace(latitude=53.775, longitude=-1.57), Verdict.INSIDE),
        (HOLBECK, PersonPlace(latitude=53.785, longitude=-1.56), Verdict.OUTSIDE),  # in the hole
        (HOLBECK, PersonPlace(latitude=57.5, longitude=-4.2), Verdict.OUTSIDE),
        (HOLBECK, PersonPlace(postcode_district="LS11"), Verdict.UNKNOWN),
    ],
)
def test_each_kind_of_area(area: object, place: PersonPlace, verdict: Verdict) -> None:
    assert area_verdict(area, place) is verdict  # type: ignore[arg-type]


def test_an_online_service_for_leeds_is_not_offered_outside_leeds(service: ServiceOf, person: PersonOf) -> None:
    advice = service("advice", delivery_modes=frozenset({DeliveryMode.ONLINE}), venues=(), areas=(LEEDS,))
    assert suggested_ids(person(postcode_district="LS6"), advice) == {"advice"}
    (offer,) = offers_of(advice)
    exclusion = check(person(postcode_district="M1"), offer, NeedCategory.PHYSICAL_ACTIVITY, 5.0)
    assert exclusion is not None and exclusion.constraint is Constraint.AREA
    assert exclusion.detail == "for Leeds residents only" and not exclusion.unsure
    assert suggested_ids(person(postcode_district="M1"), advice) == set()


def test_an_unknown_area_lists_the_service_to_check_instead_of_offering_it(
    service: ServiceOf, person: PersonOf
) -> None:
    advice = service("advice", delivery_modes=frozenset({DeliveryMode.TELEPHONE}), venues=(), areas=(LEEDS,))
    someone = person(postcode_district=None)
    suggestions = ranker_over(advice).suggest(someone)
    (need,) = suggestions.needs
    assert need.options == () and need.eligible_services == 0
    (to_check,) = need.check_eligibility
    assert to_check.service.service_id == "advice"
    assert to_check.reason == "for Leeds residents only: check eligibility (where the person lives is not recorded)"


def test_eligibility_codes_against_what_is_recorded(service: ServiceOf, person: PersonOf) -> None:
    carers = service("carers", eligibility=frozenset({EligibilityCode.CARERS}))
    women = service("women", eligibility=frozenset({EligibilityCode.WOMEN}))
    veterans = service("veterans", eligibility=frozenset({EligibilityCode.VETERANS}))
    dementia = service(
        "dementia",
        eligibility=frozenset({EligibilityCode.CONDITION_GROUP}),
        condition_groups=frozenset({ConditionGroup.DEMENTIA}),
    )
    known = service("known", eligibility=frozenset({EligibilityCode.KNOWN_TO_SERVICE}))
    everything = (carers, women, veterans, dementia, known)
    assert suggested_ids(person(sex=Sex.MALE), *everything) == set()
    assert suggested_ids(person(sex=Sex.FEMALE, carer=True), *everything) == {"carers", "women"}
    assert suggested_ids(person(veteran=True, condition_groups=frozenset({ConditionGroup.DEMENTIA})), *everything) == {
        "veterans",
        "dementia",
    }
    assert suggested_ids(person(known_to=frozenset({"known"})), *everything) == {"known"}
    # A referral for carers' support says the person is a carer.
    carer = person(needs=(NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.CARERS_SUPPORT))
    assert "carers" in suggested_ids(carer, *everything)
    # Recorded facts that rule the person out are definite, not "check".
    (offer,) = offers_of(women)
    exclusion = check(person(sex=Sex.MALE), offer, NeedCategory.PHYSICAL_ACTIVITY, 5.0)
    assert exclusion is not None and exclusion.constraint is Constraint.ELIGIBILITY
    assert exclusion.detail == "for women" and not exclusion.unsure


def test_a_suggestion_says_why_the_person_qualifies_and_how_to_get_in(service: ServiceOf, person: PersonOf) -> None:
    group = service(
        "group",
        areas=(LEEDS,),
        eligibility=frozenset({EligibilityCode.RESIDENTS, EligibilityCode.CARERS}),
        routes=frozenset({ReferralRoute.PROFESSIONAL_REFERRAL}),
    )
    someone = person(carer=True)
    (option,) = ranker_over(group).suggest(someone).ranked
    texts = [reason.text for reason in option.reasons]
    assert texts[1] == "for Leeds residents; the person lives there; for carers; the person qualifies"
    assert "needs a professional referral" in texts
    drop_in = service("drop", routes=frozenset({ReferralRoute.DROP_IN, ReferralRoute.SELF_REFERRAL}))
    (option,) = ranker_over(drop_in).suggest(someone).ranked
    assert "drop-in: the person can just turn up" in [reason.text for reason in option.reasons]


def test_a_gap_counts_only_eligible_services_and_says_which_rule_excluded_the_near_ones(
    service: ServiceOf, person: PersonOf
) -> None:
    near_but_leeds = [service(f"leeds-{n}", needs=frozenset({NeedCategory.HOUSING}), areas=(LEEDS,)) for n in range(3)]
    someone = person(needs=(NeedCategory.HOUSING,), postcode_district="BD1")
    suggestions = ranker_over(*near_but_leeds).suggest(someone)
    assert suggestions.gaps == (NeedCategory.HOUSING,)
    (need,) = suggestions.needs
    assert need.barred_services == 3
    assert need.gap_reason is not None
    assert need.gap_reason.startswith("3 housing services within")
    assert need.gap_reason.endswith("none for this area (for Leeds residents only)")


def test_inverness_housing_is_not_offered_leeds_only_advice_and_reports_the_gap(service: ServiceOf) -> None:
    """The issue's case: 57.5, -4.2, housing, 5 km; the Leeds-only online advice is not offered."""
    holbeck = service(
        "holbeck",
        name="Housing advice (Holbeck Methodist)",
        needs=frozenset({NeedCategory.HOUSING}),
        delivery_modes=frozenset({DeliveryMode.ONLINE}),
        venues=(),
        areas=(PostcodePrefix("LS"),),
    )
    national = service(
        "shelter-line",
        needs=frozenset({NeedCategory.HOUSING}),
        delivery_modes=frozenset({DeliveryMode.TELEPHONE}),
        venues=(),
    )
    inverness = Person(needs=(NeedCategory.HOUSING,), location=Location(57.5, -4.2))
    assert suggested_ids(inverness, holbeck, national) == {"shelter-line"}
    suggestions = ranker_over(holbeck).suggest(inverness)
    assert suggestions.gaps == (NeedCategory.HOUSING,)
    (need,) = suggestions.needs
    assert [c.service.service_id for c in need.check_eligibility] == ["holbeck"]
    assert need.gap_reason is not None and "none for this area (for LS residents only)" in need.gap_reason


def test_the_nearest_postcode_district_stands_in_only_when_near_enough() -> None:
    from linkwork_matching.adapters.districts import bundled_districts

    finder = bundled_districts()
    assert finder.nearest(Location(53.78, -1.56)) == "LS11"
    assert finder.nearest(Location(57.5, -4.2)) is None  # Inverness: no known district near
    assert finder.nearest(Location(53.795, -1.752)) is None  # Bradford: LS28 is 5.8 km off
