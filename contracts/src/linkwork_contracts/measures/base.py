"""What every recorded outcome measure shares, and the item checks that give readable errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Self, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator


class MeasureName(StrEnum):
    ONS4 = "ons4"
    SWEMWBS = "swemwbs"
    UCLA3 = "ucla3"


class Timepoint(StrEnum):
    """When in the episode a measure was taken; outcomes pairs a baseline with the latest."""

    BASELINE = "baseline"  # at the "what matters to me" conversation
    FOLLOW_UP = "follow-up"
    CLOSURE = "closure"


@dataclass(frozen=True, slots=True)
class ItemScale:
    """A questionnaire's items: their names in question order and the range each is scored in.

    The one place a measure states its item count and range: the model's field bounds (and so the
    published JSON schemas), its totals' bounds and its error messages are all derived from it.
    """

    label: str  # the measure's name as errors give it
    item_names: tuple[str, ...]
    low: int
    high: int

    @property
    def count(self) -> int:
        return len(self.item_names)

    # The range of the items' sum, for the measures scored by it (SWEMWBS's raw score, UCLA-3's total).
    @property
    def lowest_total(self) -> int:
        return self.count * self.low

    @property
    def highest_total(self) -> int:
        return self.count * self.high

    def check(self, value: object) -> object:
        """Reject a wrong item count or an out-of-range item with a message naming the item.

        Runs before pydantic's own checks (which would say "Tuple should have at most 4 items") so
        the person fixing the form sees which question is wrong. Non-list input and non-integer items
        are left for pydantic's type errors.
        """
        if not isinstance(value, list | tuple):
            return value
        if len(value) != self.count:
            raise ValueError(
                f"{self.label} needs exactly {self.count} items ({', '.join(self.item_names)}), got {len(value)}"
            )
        for number, (item, name) in enumerate(zip(value, self.item_names, strict=True), start=1):
            if isinstance(item, int) and not isinstance(item, bool) and not self.low <= item <= self.high:
                raise ValueError(
                    f"{self.label} item {number} ({name}) is {item}; each item is scored {self.low}-{self.high}"
                )
        # A tuple, so that strict validation of the tuple field accepts what JSON gave as a list.
        return tuple(value)


class MeasureRecord(BaseModel):
    """A measure's answers (`items`, declared by each subclass) and when they were taken. Each subclass
    gives its `SCALE`, which its `items` field's bounds are built from and its items are checked against;
    and, through `scores_of`, which score fields its answers give."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    SCALE: ClassVar[ItemScale]

    recorded_at: AwareDatetime
    timepoint: Timepoint

    @field_validator("items", mode="before", check_fields=False)
    @classmethod
    def _items_in_range(cls, value: object) -> object:
        return cls.SCALE.check(value)

    @classmethod
    def item_sum(cls, items: Sequence[int]) -> int:
        """The sum of the items; ValueError naming the item when the count or a range is wrong."""
        cls.SCALE.check(list(items))
        return sum(items)

    @classmethod
    def scores_of(cls, items: Sequence[int]) -> dict[str, float]:
        """The score fields these answers give, by field name; none for a measure reported per item.

        Called before the record is built, so a scored measure checks its items here (`item_sum`)
        and a wrong answer is refused before any score is looked up."""
        return {}

    @classmethod
    def from_items(cls, items: Sequence[int], *, recorded_at: AwareDatetime, timepoint: Timepoint) -> Self:
        """The record of these answers, with the scores they give."""
        (measure,) = get_args(cls.model_fields["measure"].annotation)  # the one value its Literal allows
        # model_validate, not cls(...): `measure`, `items` and the scores are the subclass's fields.
        return cls.model_validate(
            {
                "measure": measure,
                "items": tuple(items),
                "recorded_at": recorded_at,
                "timepoint": timepoint,
                **cls.scores_of(items),
            }
        )
