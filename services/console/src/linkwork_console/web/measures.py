"""The outcome measures' questions as people are asked them, and how a recorded result is summarised.

Each measure's number of questions and range of answers, its scoring and its bands come from
`linkwork_contracts.measures`, so the console asks and shows exactly what the referral service stores and outcomes
counts; the wording is the console's. Wording: ONS4 from the Office for National Statistics (Open Government
Licence); UCLA-3 from Hughes et al. 2004; SWEMWBS (c) NHS Health Scotland, University of Warwick and University of
Edinburgh, free to use once a deployment has registered with Warwick Medical School.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from linkwork_contracts.measures import (
    LONELY_THRESHOLD,
    ONS4_ITEMS,
    ONS4_SCALE,
    OUTCOME_SCORES,
    SWEMWBS_SCALE,
    UCLA3_SCALE,
    AnyMeasureResult,
    ItemScale,
    MeasureName,
    Ons4Result,
    SwemwbsResult,
    Ucla3Result,
    outcome_scores,
)


@dataclass(frozen=True)
class Measure:
    """A questionnaire as the console asks it: the console's wording over the contract's item scale.

    How many questions there are and which scores each answer can take come from the contract (`record.SCALE`),
    so the form offers exactly what the referral service accepts; the wording is the console's.
    """

    record: type[AnyMeasureResult]
    title: str
    intro: str
    questions: tuple[str, ...]
    # The words for each score from the lowest up; None where the answers are the scores themselves.
    answer_words: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # Refuse at import, not on a person's form, wording that no longer fits the contract's scale.
        scale = self.scale
        if len(self.questions) != scale.count:
            raise ValueError(f"{scale.label} has {scale.count} items; the console asks {len(self.questions)}")
        if self.answer_words is not None and len(self.answer_words) != len(self.scores):
            raise ValueError(f"{scale.label} scores {scale.low}-{scale.high}; the console words {self.answer_words}")

    @property
    def scale(self) -> ItemScale:
        return self.record.SCALE

    @property
    def name(self) -> MeasureName:
        (name,) = get_args(self.record.model_fields["measure"].annotation)  # the one value its Literal allows
        return MeasureName(name)

    @property
    def scores(self) -> range:
        return range(self.scale.low, self.scale.high + 1)

    @property
    def answers(self) -> tuple[tuple[int, str], ...]:
        """Each score with the words a person chooses it by."""
        words = self.answer_words or tuple(str(score) for score in self.scores)
        return tuple(zip(self.scores, words, strict=True))


MEASURES: dict[str, Measure] = {
    measure.name.value: measure
    for measure in (
        Measure(
            SwemwbsResult,
            "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
            "Below are some statements about feelings and thoughts. Please choose the answer that best describes "
            "your experience of each over the last 2 weeks.",
            (
                "I've been feeling optimistic about the future",
                "I've been feeling useful",
                "I've been feeling relaxed",
                "I've been dealing with problems well",
                "I've been thinking clearly",
                "I've been feeling close to other people",
                "I've been able to make up my own mind about things",
            ),
            ("None of the time", "Rarely", "Some of the time", "Often", "All of the time"),
        ),
        Measure(
            Ons4Result,
            "ONS personal wellbeing (ONS4)",
            f"Answer each on a scale of {ONS4_SCALE.low} to {ONS4_SCALE.high}, where {ONS4_SCALE.low} is "
            f"'not at all' and {ONS4_SCALE.high} is 'completely'.",
            (
                "Overall, how satisfied are you with your life nowadays?",
                "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
                "Overall, how happy did you feel yesterday?",
                "Overall, how anxious did you feel yesterday?",
            ),
        ),
        Measure(
            Ucla3Result,
            "UCLA 3-item loneliness scale (UCLA-3)",
            "The next questions are about how you feel about different aspects of your life.",
            (
                "How often do you feel that you lack companionship?",
                "How often do you feel left out?",
                "How often do you feel isolated from others?",
            ),
            ("Hardly ever", "Some of the time", "Often"),
        ),
    )
}


def _any_of(names: list[str]) -> str:
    """["A", "B", "C"] -> "A, B or C"."""
    *others, last = names
    return f"{', '.join(others)} or {last}" if others else last


# The measures a form offers, as a sentence names them: "SWEMWBS, ONS4 or UCLA-3".
MEASURE_LABELS = _any_of([measure.scale.label for measure in MEASURES.values()])


def summary(result: dict[str, Any]) -> str:
    """One line a link worker can read back: the score and, where the measure has them, its bands."""
    measure = result.get("measure")
    if measure == MeasureName.SWEMWBS.value:
        parsed = SwemwbsResult.model_validate(result)
        return (
            f"SWEMWBS metric score {parsed.metric_score:.2f} (raw {parsed.raw_score} of {SWEMWBS_SCALE.highest_total})"
        )
    if measure == MeasureName.UCLA3.value:
        parsed_u = Ucla3Result.model_validate(result)
        band = "lonely" if parsed_u.lonely else "not lonely"
        return (
            f"UCLA-3 total {parsed_u.total} of {UCLA3_SCALE.highest_total} "
            f"({band}: {LONELY_THRESHOLD} or more counts as lonely)"
        )
    if measure == MeasureName.ONS4.value:
        parsed_o = Ons4Result.model_validate(result)
        bands = parsed_o.bands()
        return "ONS4 " + "; ".join(
            f"{item.value.replace('-', ' ')} {parsed_o.score(item)} ({bands[item].value.replace('-', ' ')})"
            for item in ONS4_ITEMS
        )
    return str(measure)


def changes(baseline: list[dict[str, Any]], latest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each score's change from the baseline to the latest result of the same measure, with whether it is a
    meaningful improvement (thresholds in `linkwork_contracts.measures.improvement`)."""
    rows = []
    for before in baseline:
        after = next((m for m in reversed(latest) if m.get("measure") == before.get("measure")), None)
        measure = MEASURES.get(str(before.get("measure")))
        if after is None or measure is None:
            continue
        first = outcome_scores(measure.record.model_validate(before))
        last = outcome_scores(measure.record.model_validate(after))
        for key, value in first.items():
            score = OUTCOME_SCORES[key]
            rows.append(
                {
                    "label": score.label,
                    "baseline": value,
                    "latest": last[key],
                    "change": score.change(value, last[key]),
                    "meaningful": score.improved(value, last[key]),
                    "rule": score.rule,
                }
            )
    return rows
