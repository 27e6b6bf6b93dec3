"""The measures' forms: the console's wording over the contracts' item scales, so a form offers exactly the
answers the referral service accepts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_console.web.forms import FormErrors
from linkwork_console.web.measures import MEASURES, Measure, summary
from linkwork_console.web.pages import _measure_answers
from linkwork_contracts.measures import MeasureName, Timepoint, Ucla3Result
from starlette.datastructures import FormData

pytestmark = pytest.mark.unit

RECORDED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_every_measure_has_a_form_asking_each_item_on_the_contracts_scale() -> None:
    assert set(MEASURES) == {name.value for name in MeasureName}
    for key, measure in MEASURES.items():
        scale = measure.record.SCALE
        assert measure.name.value == key
        assert len(measure.questions) == scale.count
        assert [score for score, _ in measure.answers] == list(range(scale.low, scale.high + 1))
        for score, _ in (measure.answers[0], measure.answers[-1]):
            items = [score] * scale.count
            recorded = measure.record.from_items(items, recorded_at=RECORDED_AT, timepoint=Timepoint.BASELINE)
            assert recorded.items == tuple(items)


@pytest.mark.parametrize(
    ("questions", "answer_words"),
    [
        (("Lack companionship?", "Left out?"), ("Hardly ever", "Some of the time", "Often")),
        (("Lack companionship?", "Left out?", "Isolated?"), ("Never", "Hardly ever", "Some of the time", "Often")),
    ],
)
def test_wording_that_does_not_fit_the_contracts_scale_is_refused(
    questions: tuple[str, ...], answer_words: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match="UCLA-3"):
        Measure(Ucla3Result, "UCLA-3", "Questions about loneliness.", questions, answer_words)


def test_a_summary_gives_the_score_out_of_the_scales_highest_total() -> None:
    swemwbs = MEASURES[MeasureName.SWEMWBS].record.from_items(
        [2] * 7, recorded_at=RECORDED_AT, timepoint=Timepoint.BASELINE
    )
    ucla3 = MEASURES[MeasureName.UCLA3].record.from_items(
        [2, 2, 2], recorded_at=RECORDED_AT, timepoint=Timepoint.BASELINE
    )
    assert summary(swemwbs.model_dump(mode="json")) == "SWEMWBS metric score 15.32 (raw 14 of 35)"
    assert summary(ucla3.model_dump(mode="json")) == "UCLA-3 total 6 of 9 (lonely: 6 or more counts as lonely)"


def test_a_baseline_needs_one_measure_answered_in_full_within_its_scale() -> None:
    errors = FormErrors()
    assert _measure_answers(FormData(), errors, required=True) == []
    assert errors.by_field == {
        "swemwbs-0": "Answer at least one wellbeing measure (SWEMWBS, ONS4 or UCLA-3) as a baseline"
    }

    errors = FormErrors()
    answers = FormData([("ucla3-0", "1"), ("ucla3-1", "3"), ("ucla3-2", "4"), ("ons4-0", "10")])
    assert _measure_answers(answers, errors, required=True) == []
    assert errors.by_field == {
        "ons4-1": "Answer question 2 of ons4",
        "ons4-2": "Answer question 3 of ons4",
        "ons4-3": "Answer question 4 of ons4",
        "ucla3-2": "Answer question 3 of ucla3",  # 4 is outside UCLA-3's 1-3
    }

    errors = FormErrors()
    answers = FormData([("ucla3-0", "1"), ("ucla3-1", "3"), ("ucla3-2", "2")])
    assert _measure_answers(answers, errors, required=True) == [{"measure": "ucla3", "items": [1, 3, 2]}]
    assert not errors
