"""UCLA 3-item loneliness scale (Hughes et al. 2004; the version ONS recommends).

Three items scored 1 (hardly ever) to 3 (often), total 3-9; 6 or more is commonly treated as
lonely (`standards/social-prescribing.md`). Higher is worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from linkwork_contracts.measures.base import MeasureName, MeasureRecord

UCLA3_ITEM_LABELS: tuple[str, ...] = (
    "lack companionship",
    "feel left out",
    "feel isolated from others",
)
LONELY_THRESHOLD = 6


def ucla3_total(items: Sequence[int]) -> int:
    """Sum of the three item scores (3-9)."""
    return Ucla3Result.item_sum(items)


def is_lonely(total: int) -> bool:
    if not 3 <= total <= 9:
        raise ValueError(f"UCLA-3 totals run 3-9, got {total}")
    return total >= LONELY_THRESHOLD


Ucla3Item = Annotated[int, Field(ge=1, le=3, strict=True)]


class Ucla3Result(MeasureRecord):
    """UCLA-3 answers in question order, with their total."""

    LABEL = "UCLA-3"
    ITEM_NAMES = UCLA3_ITEM_LABELS
    ITEM_RANGE = (1, 3)

    measure: Literal[MeasureName.UCLA3]
    items: tuple[Ucla3Item, ...] = Field(min_length=3, max_length=3)
    total: int = Field(ge=3, le=9, description="Sum of the items; 6 or more is lonely")

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
