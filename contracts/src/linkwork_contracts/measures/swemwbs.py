"""SWEMWBS: the short Warwick-Edinburgh Mental Wellbeing Scale.

Seven items scored 1-5, summed to a raw score of 7-35 and converted to a metric score with the
published table (Stewart-Brown et al. 2009, as published by Warwick Medical School; copied from
`standards/social-prescribing.md`). Free to use with registration; (c) NHS Health Scotland,
University of Warwick and University of Edinburgh. Items are named by short labels only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from linkwork_contracts.measures.base import ItemScale, MeasureName, MeasureRecord

SWEMWBS_ITEM_LABELS: tuple[str, ...] = (
    "optimistic about the future",
    "feeling useful",
    "feeling relaxed",
    "dealing with problems well",
    "thinking clearly",
    "feeling close to other people",
    "able to make up own mind",
)
SWEMWBS_SCALE = ItemScale("SWEMWBS", SWEMWBS_ITEM_LABELS, low=1, high=5)

SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98,
    23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03,
    31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}  # fmt: skip


def swemwbs_raw_score(items: Sequence[int]) -> int:
    """Sum of the seven item scores (7-35)."""
    return SwemwbsResult.item_sum(items)


def swemwbs_metric_score(raw: int) -> float:
    """The metric score for a raw score, from the published conversion table."""
    if raw not in SWEMWBS_METRIC:
        raise ValueError(
            f"SWEMWBS raw scores run {SWEMWBS_SCALE.lowest_total}-{SWEMWBS_SCALE.highest_total}, got {raw}"
        )
    return SWEMWBS_METRIC[raw]


SwemwbsItem = Annotated[int, Field(ge=SWEMWBS_SCALE.low, le=SWEMWBS_SCALE.high, strict=True)]


class SwemwbsResult(MeasureRecord):
    """SWEMWBS answers in questionnaire order, with the raw and metric scores they give."""

    SCALE = SWEMWBS_SCALE

    measure: Literal[MeasureName.SWEMWBS]
    items: tuple[SwemwbsItem, ...] = Field(min_length=SWEMWBS_SCALE.count, max_length=SWEMWBS_SCALE.count)
    raw_score: int = Field(
        ge=SWEMWBS_SCALE.lowest_total, le=SWEMWBS_SCALE.highest_total, description="Sum of the items"
    )
    metric_score: float = Field(
        ge=min(SWEMWBS_METRIC.values()), le=max(SWEMWBS_METRIC.values()), description="Raw score converted by the table"
    )

    @model_validator(mode="after")
    def _scores_match_items(self) -> Self:
        raw = sum(self.items)
        if self.raw_score != raw:
            raise ValueError(f"SWEMWBS raw_score {self.raw_score} != sum of items {raw}")
        metric = SWEMWBS_METRIC[raw]
        if self.metric_score != metric:
            raise ValueError(f"SWEMWBS metric_score {self.metric_score} != {metric}, the table value for raw {raw}")
        return self

    @classmethod
    def scores_of(cls, items: Sequence[int]) -> dict[str, float]:
        raw = swemwbs_raw_score(items)
        return {"raw_score": raw, "metric_score": swemwbs_metric_score(raw)}
