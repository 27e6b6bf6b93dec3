"""The outcome measures' questions as people are asked them, and how a recorded result is summarised.

Scoring and bands come from `linkwork_contracts.measures`, so the console shows exactly what the referral
service stores and outcomes counts. Wording: ONS4 from the Office for National Statistics (Open Government
Licence); UCLA-3 from Hughes et al. 2004; SWEMWBS (c) NHS Health Scotland, University of Warwick and
University of Edinburgh, free to use once a deployment has registered with Warwick Medical School.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linkwork_contracts.measures import (
    ONS4_ITEMS,
    OUTCOME_SCORES,
    MeasureName,
    Ons4Result,
    SwemwbsResult,
    Ucla3Result,
    outcome_scores,
)


@dataclass(frozen=True)
class Measure:
    name: MeasureName
    title: str
    intro: str
    questions: tuple[str, ...]
    answers: tuple[tuple[int, str], ...]


MEASURES: dict[str, Measure] = {
    MeasureName.SWEMWBS.value: Measure(
        MeasureName.SWEMWBS,
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
        ((1, "None of the time"), (2, "Rarely"), (3, "Some of the time"), (4, "Often"), (5, "All of the time")),
    ),
    MeasureName.ONS4.value: Measure(
        MeasureName.ONS4,
        "ONS personal wellbeing (ONS4)",
        "Answer each on a scale of 0 to 10, where 0 is 'not at all' and 10 is 'completely'.",
        (
            "Overall, how satisfied are you with your life nowadays?",
            "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
            "Overall, how happy did you feel yesterday?",
            "Overall, how anxious did you feel yesterday?",
        ),
        tuple((n, str(n)) for n in range(11)),
    ),
    MeasureName.UCLA3.value: Measure(
        MeasureName.UCLA3,
        "UCLA 3-item loneliness scale (UCLA-3)",
        "The next questions are about how you feel about different aspects of your life.",
        (
            "How often do you feel that you lack companionship?",
            "How often do you feel left out?",
            "How often do you feel isolated from others?",
        ),
        ((1, "Hardly ever"), (2, "Some of the time"), (3, "Often")),
    ),
}


def summary(result: dict[str, Any]) -> str:
    """One line a link worker can read back: the score and, where the measure has them, its bands."""
    measure = result.get("measure")
    if measure == MeasureName.SWEMWBS.value:
        parsed = SwemwbsResult.model_validate(result)
        return f"SWEMWBS metric score {parsed.metric_score:.2f} (raw {parsed.raw_score} of 35)"
    if measure == MeasureName.UCLA3.value:
        parsed_u = Ucla3Result.model_validate(result)
        band = "lonely" if parsed_u.lonely else "not lonely"
        return f"UCLA-3 total {parsed_u.total} of 9 ({band}: 6 or more counts as lonely)"
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
    parsers: dict[str, type[SwemwbsResult] | type[Ons4Result] | type[Ucla3Result]] = {
        MeasureName.SWEMWBS.value: SwemwbsResult,
        MeasureName.ONS4.value: Ons4Result,
        MeasureName.UCLA3.value: Ucla3Result,
    }
    rows = []
    for before in baseline:
        after = next((m for m in reversed(latest) if m.get("measure") == before.get("measure")), None)
        parser = parsers.get(str(before.get("measure")))
        if after is None or parser is None:
            continue
        first = outcome_scores(parser.model_validate(before))
        last = outcome_scores(parser.model_validate(after))
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
