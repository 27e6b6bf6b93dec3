"""Coded value sets: they match their sources, and their helpers give clear answers and errors."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import pytest
from linkwork_contracts.codes import (
    NEED_TAXONOMY_TERMS,
    AgeBand,
    ClosureReason,
    DayOfWeek,
    DeliveryMode,
    EthnicCategory,
    EthnicGroup,
    LinkWorkerStage,
    NeedCategory,
    PartOfDay,
    ReferralStatus,
    SnomedConcept,
    TravelMode,
    age_band,
    age_band_bounds,
    allowed_transitions,
    can_advance,
    can_transition,
    closure_status,
    ethnic_group,
    need_for_term,
    part_of_day,
    requires_reason,
    stage_status,
    stages_allowing,
    states_allowing,
    taxonomy_term,
    writeback_concepts,
)
from linkwork_contracts.codes.referral import TERMINAL_STATUSES
from linkwork_contracts.codes.snomed import SNOMED_DISPLAY

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "contracts" / "reference"


def conventions_codes(label: str) -> list[str]:
    """The backticked codes after `label:` in docs/conventions.md's shared codes list."""
    text = (REPO / "docs" / "conventions.md").read_text(encoding="utf-8")
    flattened = re.sub(r"\n\s+(?=\S)(?!- )", " ", text)  # join wrapped bullet lines
    match = re.search(rf"{re.escape(label)}:(.*?)(?:\.\s|\.$|$)", flattened, re.MULTILINE)
    assert match, f"{label} not found in docs/conventions.md"
    return re.findall(r"`([^`]+)`", match.group(1))


@pytest.mark.parametrize(
    ("label", "codes"),
    [
        ("Need categories", [c.value for c in NeedCategory]),
        ("Age bands", [c.value for c in AgeBand]),
        ("Delivery modes", [c.value for c in DeliveryMode]),
        ("Travel modes", [c.value for c in TravelMode]),
        ("Closure reasons", [c.value for c in ClosureReason]),
    ],
)
def test_value_sets_use_exactly_the_codes_in_the_conventions(label: str, codes: list[str]) -> None:
    assert codes == conventions_codes(label)


def test_days_are_icalendar_byday() -> None:
    assert " ".join(d.value for d in DayOfWeek) == conventions_codes("Days of week in schedules")[0]


def test_unknown_codes_are_rejected_with_the_value_named() -> None:
    with pytest.raises(ValueError, match="'flying' is not a valid NeedCategory"):
        NeedCategory("flying")
    with pytest.raises(ValueError, match="'T' is not a valid EthnicCategory"):
        EthnicCategory("T")


# --- need taxonomy -------------------------------------------------------------------------


def test_every_need_has_one_stable_taxonomy_term() -> None:
    assert set(NEED_TAXONOMY_TERMS) == set(NeedCategory)
    ids = [t.id for t in NEED_TAXONOMY_TERMS.values()]
    assert len(set(ids)) == len(ids)
    for need, term in NEED_TAXONOMY_TERMS.items():
        # Ids are derived, documented and written out; this catches an edited literal.
        assert term.id == uuid5(NAMESPACE_URL, f"urn:linkwork:taxonomy:needs:{need.value}")
        assert term.term == need.value
        assert term.term_uri == f"urn:linkwork:taxonomy:needs:{need.value}"
        assert term.taxonomy == "linkwork-needs"
        assert need_for_term(term.id) is need
        assert taxonomy_term(need) is term
    assert need_for_term(uuid5(NAMESPACE_URL, "something else")) is None


# --- referral statuses ---------------------------------------------------------------------


def reference_rows(name: str) -> list[dict[str, str]]:
    """The rows of a published reference table kept in contracts/reference (see its README)."""
    with (REFERENCE / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def gravity_transitions() -> set[tuple[str, str]]:
    """The transitions exactly as published by the Gravity IG, less the any→entered-in-error rule."""
    rows = reference_rows("gravity-referral-transitions.csv")
    assert {"from_status": "*", "to_status": "entered-in-error"} in rows
    return {(row["from_status"], row["to_status"]) for row in rows if row["from_status"] != "*"}


def test_transitions_match_the_gravity_table() -> None:
    expected = gravity_transitions()
    assert len(expected) == 17  # 1 + 3 + 5 + 4 + 4
    for current in ReferralStatus:
        for target in ReferralStatus:
            if target is ReferralStatus.ENTERED_IN_ERROR:
                allowed = current is not ReferralStatus.ENTERED_IN_ERROR
            else:
                allowed = (current.value, target.value) in expected
            assert can_transition(current, target) is allowed, (current, target)


def test_states_allowing_answers_the_409_question() -> None:
    assert states_allowing(ReferralStatus.ACCEPTED) == {ReferralStatus.REQUESTED}
    assert states_allowing(ReferralStatus.COMPLETED) == {
        ReferralStatus.ACCEPTED,
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.ON_HOLD,
    }
    assert ReferralStatus.ENTERED_IN_ERROR not in states_allowing(ReferralStatus.ENTERED_IN_ERROR)
    assert states_allowing(ReferralStatus.DRAFT) == frozenset()


def test_terminal_statuses_lead_only_to_entered_in_error() -> None:
    for status in TERMINAL_STATUSES - {ReferralStatus.ENTERED_IN_ERROR}:
        assert allowed_transitions(status) == {ReferralStatus.ENTERED_IN_ERROR}
    assert allowed_transitions(ReferralStatus.ENTERED_IN_ERROR) == frozenset()


def test_reasons_required_as_gravity_says() -> None:
    needing = {s for s in ReferralStatus if requires_reason(s)}
    assert needing == {
        ReferralStatus.REJECTED,
        ReferralStatus.CANCELLED,
        ReferralStatus.ON_HOLD,
        ReferralStatus.FAILED,
    }


def test_link_worker_stages() -> None:
    assert stage_status(LinkWorkerStage.ALLOCATED) is ReferralStatus.ACCEPTED
    for stage in set(LinkWorkerStage) - {LinkWorkerStage.ALLOCATED}:
        assert stage_status(stage) is ReferralStatus.IN_PROGRESS
    path = list(LinkWorkerStage)
    for current, following in itertools.pairwise(path):
        assert can_advance(current, following)
    assert not can_advance(LinkWorkerStage.ALLOCATED, LinkWorkerStage.PLAN_AGREED)  # no skipping
    assert not can_advance(LinkWorkerStage.CONTACTED, LinkWorkerStage.ALLOCATED)
    assert can_advance(LinkWorkerStage.FOLLOWING_UP, LinkWorkerStage.PLAN_AGREED)  # revision
    assert stages_allowing(LinkWorkerStage.PLAN_AGREED) == {
        LinkWorkerStage.ASSESSED,
        LinkWorkerStage.FOLLOWING_UP,
    }


def test_every_closure_reason_ends_in_a_reachable_terminal_status() -> None:
    for reason in ClosureReason:
        status = closure_status(reason)
        assert status in TERMINAL_STATUSES
        assert can_transition(ReferralStatus.IN_PROGRESS, status)


# --- demographics --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-17"),
        (17, "0-17"),
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-34"),
        (64, "55-64"),
        (65, "65-74"),
        (84, "75-84"),
        (85, "85+"),
        (130, "85+"),
    ],
)
def test_age_band_boundaries(age: int, band: str) -> None:
    assert age_band(age) == band


@pytest.mark.parametrize("age", [-1, 131])
def test_age_band_rejects_impossible_ages(age: int) -> None:
    with pytest.raises(ValueError, match=f"age {age} is outside 0-130"):
        age_band(age)


@pytest.mark.parametrize("age", [True, 40.5, "40"])
def test_age_band_needs_whole_years(age: object) -> None:
    with pytest.raises(TypeError, match="whole number of years"):
        age_band(age)  # type: ignore[arg-type]


def test_age_band_bounds_cover_every_age_once() -> None:
    for age in range(0, 131):
        low, high = age_band_bounds(age_band(age))
        assert low <= age and (high is None or age <= high)


def test_ethnic_categories_are_the_data_dictionary_codes() -> None:
    assert [c.value for c in EthnicCategory] == [*"ABCDEFGHJKLMNPRS", "Z", "99"]
    assert ethnic_group(EthnicCategory.ASIAN_PAKISTANI) is EthnicGroup.ASIAN
    assert ethnic_group(EthnicCategory.MIXED_OTHER) is EthnicGroup.MIXED
    assert ethnic_group(EthnicCategory.OTHER_CHINESE) is EthnicGroup.OTHER
    assert ethnic_group(EthnicCategory.NOT_KNOWN) is EthnicGroup.NOT_STATED_OR_KNOWN
    assert ethnic_group(EthnicCategory.NOT_STATED) is EthnicGroup.NOT_STATED_OR_KNOWN


def test_part_of_day() -> None:
    from datetime import time

    assert part_of_day(time(10, 0)) is PartOfDay.MORNING
    assert part_of_day(time(12, 0)) is PartOfDay.AFTERNOON
    assert part_of_day(time(17, 0)) is PartOfDay.EVENING
    assert part_of_day(time(3, 0)) is None


# --- SNOMED CT -----------------------------------------------------------------------------


def test_snomed_codes_are_the_confirmed_ones_from_the_reference_table() -> None:
    rows = reference_rows("snomed-gp-writeback.csv")
    confirmed = {row["concept_id"] for row in rows if row["confirmed"] == "yes"}
    unconfirmed = {row["concept_id"] for row in rows if row["confirmed"] != "yes"}
    assert {c.value for c in SnomedConcept} == confirmed
    assert {SNOMED_DISPLAY[c] for c in SnomedConcept} == {r["meaning"] for r in rows if r["concept_id"] in confirmed}
    assert "871691000000100" in unconfirmed  # "offered": never written until confirmed


def test_writeback_records_the_referral_once_and_a_decline() -> None:
    assert writeback_concepts(ClosureReason.GOALS_MET) == (SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING,)
    assert writeback_concepts(ClosureReason.DECLINED) == (
        SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING,
        SnomedConcept.SOCIAL_PRESCRIBING_DECLINED,
    )
