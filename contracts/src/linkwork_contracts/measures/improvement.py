"""The scores outcomes reporting compares, and what counts as a meaningful improvement in each.

Every measure is turned into one or more named scores (ONS4 per item, never summed; SWEMWBS's
metric score; UCLA-3's total). A person's change in a score is meaningful when it moves the
right way by at least the threshold below. Why these thresholds:

- SWEMWBS metric score, up by 3 or more: `standards/social-prescribing.md` cites 1-3 metric
  points as meaningful at individual level. We take the top of that range so that a person
  counted as improved has moved by more than the scale's measurement error, not just by noise.
- ONS4 items, 2 or more points the right way (up; down for anxiety): ONS publishes reporting
  bands, not a minimal important difference. Answers on a 0-10 scale routinely move by one point
  from day to day, so one point is not counted; two points is about the distance between the
  middles of neighbouring ONS bands. A band-crossing rule alone would count 6->7 but not 0->4.
- UCLA-3 total, down by 2 or more: one point is one answer moving one step on a three-step
  scale. Two points needs two answers to improve, or one to go from "often" to "hardly ever".
  There is no published individual-level threshold for the 3-item version.

For groups, compare means with a paired test and report the number of pairs (as the standards
file says); these rules only decide the "share improved" figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkwork_contracts.measures.base import MeasureName
from linkwork_contracts.measures.ons4 import Ons4Item, Ons4Result
from linkwork_contracts.measures.swemwbs import SwemwbsResult
from linkwork_contracts.measures.ucla3 import Ucla3Result

AnyMeasureResult = Ons4Result | SwemwbsResult | Ucla3Result


@dataclass(frozen=True, slots=True)
class OutcomeScore:
    """One comparable score derived from a measure, with its meaningful-improvement rule."""

    key: str
    measure: MeasureName
    label: str
    higher_is_better: bool
    threshold: float

    def change(self, baseline: float, latest: float) -> float:
        """Change in the better direction: positive is better whichever way the score points."""
        return latest - baseline if self.higher_is_better else baseline - latest

    def improved(self, baseline: float, latest: float) -> bool:
        """True when the change is at least this score's meaningful-improvement threshold."""
        # Round away binary float noise (e.g. 23.21 - 20.21) before comparing with the threshold.
        return round(self.change(baseline, latest), 6) >= self.threshold

    @property
    def rule(self) -> str:
        direction = "up" if self.higher_is_better else "down"
        return f"{self.label}: {direction} by at least {self.threshold:g}"


def _ons4_key(item: Ons4Item) -> str:
    return f"ons4-{item.value}"


OUTCOME_SCORES: dict[str, OutcomeScore] = {
    score.key: score
    for score in (
        *(
            OutcomeScore(
                key=_ons4_key(item),
                measure=MeasureName.ONS4,
                label=f"ONS4 {item.value}",
                higher_is_better=item is not Ons4Item.ANXIETY,
                threshold=2,
            )
            for item in Ons4Item
        ),
        OutcomeScore(
            key="swemwbs-metric",
            measure=MeasureName.SWEMWBS,
            label="SWEMWBS metric score",
            higher_is_better=True,
            threshold=3,
        ),
        OutcomeScore(
            key="ucla3-total",
            measure=MeasureName.UCLA3,
            label="UCLA-3 total",
            higher_is_better=False,
            threshold=2,
        ),
    )
}


def outcome_scores(result: AnyMeasureResult) -> dict[str, float]:
    """The named scores a recorded measure gives, keyed as in OUTCOME_SCORES."""
    if isinstance(result, Ons4Result):
        return {_ons4_key(item): float(result.score(item)) for item in Ons4Item}
    if isinstance(result, SwemwbsResult):
        return {"swemwbs-metric": result.metric_score}
    return {"ucla3-total": float(result.total)}


def meaningful_improvement(key: str, baseline: float, latest: float) -> bool:
    """Whether a change in the named score counts as a meaningful improvement."""
    if key not in OUTCOME_SCORES:
        raise KeyError(f"unknown outcome score {key!r}; known: {', '.join(OUTCOME_SCORES)}")
    return OUTCOME_SCORES[key].improved(baseline, latest)


def improvements(baseline: AnyMeasureResult, latest: AnyMeasureResult) -> dict[str, bool]:
    """For two results of one measure, whether each of its scores improved meaningfully."""
    if baseline.measure != latest.measure:
        raise ValueError(f"cannot compare {baseline.measure} with {latest.measure}")
    before, after = outcome_scores(baseline), outcome_scores(latest)
    return {key: meaningful_improvement(key, before[key], after[key]) for key in before}
