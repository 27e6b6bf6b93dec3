"""UCLA 3-item loneliness scale (Hughes et al. 2004; the version ONS recommends).

Three items scored 1 (hardly ever) to 3 (often), total 3-9; 6 or more is commonly treated as
lonely (`standards/social-prescribing.md`). Higher is worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from linkwork_contracts.measures.base import ItemScale, MeasureName, MeasureRecord

UCLA3_ITEM_LABELS: tuple[str, ...] = (
    "lack companionship",
    "feel left out",
    "feel isolated from others",
)
UCLA3_SCALE = ItemScale("UCLA-3", UCLA3_ITEM_LABELS, low=1, high=3)
LONELY_THRESHOLD = 6


def ucla3_total(items: Sequence[int]) -> int:
    """Sum of the three item scores (3-9)."""
    return Ucla3Result.item_sum(items)


def is_lonely(total: int) -> bool:
    if not UCLA3_SCALE.lowest_total <= total <= UCLA3_SCALE.highest_total:
        raise ValueError(f"UCLA-3 totals run {UCLA3_SCALE.lowest_total}-{UCLA3_SCALE.highest_total}, got {total}")
    return total >= LONELY_THRESHOLD


Ucla3Item = Annotated[int, Field(ge=UCLA3_SCALE.low, le=UCLA3_SCALE.high, strict=True)]


class Ucla3Result(MeasureRecord):
    """UCLA-3 answers in question order, with their total."""

    SCALE = UCLA3_SCALE

    measure: Literal[MeasureName.UCLA3]
    items: tuple[Ucla3Item, ...] = Field(min_length=UCLA3_SCALE.count, max_length=UCLA3_SCALE.count)
    total: int = Field(
        ge=UCLA3_SCALE.lowest_total,
        le=UCLA3_SCALE.highest_total,
        description=f"Sum of the items; {LONELY_THRESHOLD} or more is lonely",
    )

    @model_validator(mode="after")
    def _total_matches_items(self) -> Self:
        if self.total != sum(self.items):
            raise ValueError(f"UCLA-3 total {self.total} != sum of items {sum(self.items)}")
        return self

    @classmethod
    def scores_of(cls, items: Sequence[int]) -> dict[str, float]:
        return {"total": ucla3_total(items)}

    @property
    def lonely(self) -> bool:
        return is_lonely(self.total)
