"""Outcome measures: validated models, scoring and meaningful-improvement rules."""

from typing import Annotated

from pydantic import Field

from linkwork_contracts.measures.base import ItemScale, MeasureName, MeasureRecord, Timepoint
from linkwork_contracts.measures.improvement import (
    OUTCOME_SCORES,
    AnyMeasureResult,
    OutcomeScore,
    improvements,
    meaningful_improvement,
    outcome_scores,
)
from linkwork_contracts.measures.ons4 import (
    ONS4_ITEM_LABELS,
    ONS4_ITEMS,
    ONS4_SCALE,
    Ons4Band,
    Ons4Item,
    Ons4Result,
    ons4_band,
    ons4_band_rank,
)
from linkwork_contracts.measures.swemwbs import (
    SWEMWBS_ITEM_LABELS,
    SWEMWBS_METRIC,
    SWEMWBS_SCALE,
    SwemwbsResult,
    swemwbs_metric_score,
    swemwbs_raw_score,
)
from linkwork_contracts.measures.ucla3 import (
    LONELY_THRESHOLD,
    UCLA3_ITEM_LABELS,
    UCLA3_SCALE,
    Ucla3Result,
    is_lonely,
    ucla3_total,
)

# The shape events carry: any one recorded measure, told apart by its `measure` field.
MeasureResult = Annotated[AnyMeasureResult, Field(discriminator="measure")]

__all__ = [
    "LONELY_THRESHOLD",
    "ONS4_ITEMS",
    "ONS4_ITEM_LABELS",
    "ONS4_SCALE",
    "OUTCOME_SCORES",
    "SWEMWBS_ITEM_LABELS",
    "SWEMWBS_METRIC",
    "SWEMWBS_SCALE",
    "UCLA3_ITEM_LABELS",
    "UCLA3_SCALE",
    "AnyMeasureResult",
    "ItemScale",
    "MeasureName",
    "MeasureRecord",
    "MeasureResult",
    "Ons4Band",
    "Ons4Item",
    "Ons4Result",
    "OutcomeScore",
    "SwemwbsResult",
    "Timepoint",
    "Ucla3Result",
    "improvements",
    "is_lonely",
    "meaningful_improvement",
    "ons4_band",
    "ons4_band_rank",
    "outcome_scores",
    "swemwbs_metric_score",
    "swemwbs_raw_score",
    "ucla3_total",
]
