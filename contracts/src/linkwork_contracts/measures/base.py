"""What every recorded outcome measure shares, and the item checks that give readable errors."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class MeasureName(StrEnum):
    ONS4 = "ons4"
    SWEMWBS = "swemwbs"
    UCLA3 = "ucla3"


class Timepoint(StrEnum):
    """When in the episode a measure was taken; outcomes pairs a baseline with the latest."""

    BASELINE = "baseline"  # at the "what matters to me" conversation
    FOLLOW_UP = "follow-up"
    CLOSURE = "closure"


class MeasureRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    recorded_at: AwareDatetime
    timepoint: Timepoint


def check_items(value: object, *, measure: str, item_names: Sequence[str], low: int, high: int) -> object:
    """Reject a wrong item count or an out-of-range item with a message naming the item.

    Runs before pydantic's own checks (which would say "Tuple should have at most 4 items") so
    the person fixing the form sees which question is wrong. Non-list input and non-integer items
    are left for pydantic's type errors.
    """
    if not isinstance(value, list | tuple):
        return value
    if len(value) != len(item_names):
        raise ValueError(f"{measure} needs exactly {len(item_names)} items ({', '.join(item_names)}), got {len(value)}")
    for number, (item, name) in enumerate(zip(value, item_names, strict=True), start=1):
        if isinstance(item, int) and not isinstance(item, bool) and not low <= item <= high:
            raise ValueError(f"{measure} item {number} ({name}) is {item}; each item is scored {low}-{high}")
    # A tuple, so that strict validation of the tuple field accepts what JSON gave as a list.
    return tuple(value)
