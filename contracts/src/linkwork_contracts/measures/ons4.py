"""ONS4 personal wellbeing (Office for National Statistics).

Four questions scored 0-10, reported per item and never summed; anxiety is "lower is better".
Thresholds are the ONS reporting bands given in `standards/social-prescribing.md`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from linkwork_contracts.measures.base import ItemScale, MeasureName, MeasureRecord


class Ons4Item(StrEnum):
    LIFE_SATISFACTION = "life-satisfaction"
    WORTHWHILE = "worthwhile"
    HAPPINESS = "happiness"  # "yesterday"
    ANXIETY = "anxiety"  # "yesterday"; lower is better


ONS4_ITEMS: tuple[Ons4Item, ...] = tuple(Ons4Item)
ONS4_ITEM_LABELS: dict[Ons4Item, str] = {
    Ons4Item.LIFE_SATISFACTION: "life satisfaction",
    Ons4Item.WORTHWHILE: "things done in life are worthwhile",
    Ons4Item.HAPPINESS: "happiness yesterday",
    Ons4Item.ANXIETY: "anxiety yesterday",
}
ONS4_SCALE = ItemScale("ONS4", tuple(ONS4_ITEM_LABELS[item] for item in ONS4_ITEMS), low=0, high=10)


class Ons4Band(StrEnum):
    VERY_LOW = "very-low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very-high"


def ons4_band(item: Ons4Item, score: int) -> Ons4Band:
    """The ONS threshold band of one item's score."""
    if not ONS4_SCALE.low <= score <= ONS4_SCALE.high:
        raise ValueError(f"ONS4 scores are {ONS4_SCALE.low}-{ONS4_SCALE.high}, got {score}")
    if item is Ons4Item.ANXIETY:
        if score <= 1:
            return Ons4Band.VERY_LOW
        if score <= 3:
            return Ons4Band.LOW
        return Ons4Band.MEDIUM if score <= 5 else Ons4Band.HIGH
    if score <= 4:
        return Ons4Band.LOW
    if score <= 6:
        return Ons4Band.MEDIUM
    return Ons4Band.HIGH if score <= 8 else Ons4Band.VERY_HIGH


_POSITIVE_RANK = {Ons4Band.LOW: 0, Ons4Band.MEDIUM: 1, Ons4Band.HIGH: 2, Ons4Band.VERY_HIGH: 3}
_ANXIETY_RANK = {Ons4Band.HIGH: 0, Ons4Band.MEDIUM: 1, Ons4Band.LOW: 2, Ons4Band.VERY_LOW: 3}


def ons4_band_rank(item: Ons4Item, score: int) -> int:
    """0 for the worst band of an item up to 3 for the best, whichever way the item points."""
    ranks = _ANXIETY_RANK if item is Ons4Item.ANXIETY else _POSITIVE_RANK
    return ranks[ons4_band(item, score)]


# strict: a questionnaire answer of True or "7" is a bug upstream, not a score.
Ons4Score = Annotated[int, Field(ge=ONS4_SCALE.low, le=ONS4_SCALE.high, strict=True)]


class Ons4Result(MeasureRecord):
    """ONS4 answers in question order: life satisfaction, worthwhile, happiness, anxiety."""

    SCALE = ONS4_SCALE

    measure: Literal[MeasureName.ONS4]
    items: tuple[Ons4Score, ...] = Field(min_length=ONS4_SCALE.count, max_length=ONS4_SCALE.count)

    def score(self, item: Ons4Item) -> int:
        return self.items[ONS4_ITEMS.index(item)]

    def bands(self) -> dict[Ons4Item, Ons4Band]:
        return {item: ons4_band(item, self.score(item)) for item in ONS4_ITEMS}
