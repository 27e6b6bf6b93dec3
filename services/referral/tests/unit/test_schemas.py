"""Request bodies: what the API refuses before any use case runs."""

from __future__ import annotations

import random

import pytest
from linkwork_referral.adapters.samples import invalid_nhs_number, referral_body, synthetic_nhs_number
from linkwork_referral.api.schemas import AssessmentIn, CreateReferral, MeasureAnswers
from pydantic import ValidationError

pytestmark = pytest.mark.unit
NHS = synthetic_nhs_number(random.Random(1))


def test_a_valid_body_passes() -> None:
    assert CreateReferral.model_validate(referral_body(NHS)).person.nhs_number == NHS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent_to_refer": False}, "consent_to_refer must be true"),
        ({"needs": []}, "at least 1 item"),
        ({"needs": ["astrology"]}, "Input should be"),
        ({"reason": "bad\x00byte"}, "NUL"),
        ({"reason": "lone\ud800"}, "surrogate"),
        ({"referrer_organisation": "lower-case"}, "String should match pattern"),
    ],
)
def test_invalid_bodies_are_refused_with_a_reason(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CreateReferral.model_validate(referral_body(NHS, **change))


def test_the_nhs_number_is_required_and_checked() -> None:
    person = referral_body(NHS)["person"]
    with pytest.raises(ValidationError, match="check digit"):
        CreateReferral.model_validate(referral_body(NHS, person={**person, "nhs_number": invalid_nhs_number(NHS)}))
    del person["nhs_number"]
    with pytest.raises(ValidationError, match="Field required"):
        CreateReferral.model_validate(referral_body(NHS, person=person))


def test_measure_answers_name_the_wrong_item() -> None:
    with pytest.raises(ValidationError, match=r"ONS4 item 4 \(anxiety yesterday\) is 11"):
        MeasureAnswers.model_validate({"measure": "ons4", "items": [5, 5, 5, 11]})
    with pytest.raises(ValidationError, match="UCLA-3 needs exactly 3 items"):
        MeasureAnswers.model_validate({"measure": "ucla3", "items": [1, 2]})


def test_a_travel_time_needs_a_travel_mode() -> None:
    body = {
        "needs": ["housing"],
        "baseline_measures": [{"measure": "ucla3", "items": [1, 2, 3]}],
        "max_travel_minutes": 20,
    }
    with pytest.raises(ValidationError, match="needs a travel_mode"):
        AssessmentIn.model_validate(body)
    assert AssessmentIn.model_validate({**body, "travel_mode": "walk"}).preferences().max_travel_minutes == 20
