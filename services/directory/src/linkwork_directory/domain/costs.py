"""What a person pays, from ORUK cost options: an amount and what it is charged per."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from linkwork_contracts.codes import CostUnit

from linkwork_directory.domain.oruk import CostOption

_UNIT_WORDS: tuple[tuple[CostUnit, tuple[str, ...]], ...] = (
    (CostUnit.WEEK, ("week", "weekly")),
    (CostUnit.MONTH, ("month", "monthly")),
    (CostUnit.COURSE, ("course", "term")),
    (CostUnit.ONE_OFF, ("one-off", "one off", "joining", "membership", "annual", "per year", "a year")),
    (CostUnit.SESSION, ("session", "class", "visit", "per hour", "hour")),
)


def unit_of(option: CostOption) -> CostUnit:
    """The unit stated (our extension), or the one its wording names; a session when it names none."""
    if option.unit:
        try:
            return CostUnit(option.unit)
        except ValueError:
            pass
    text = f"{option.amount_description or ''} {option.option or ''}".lower()
    for unit, words in _UNIT_WORDS:
        if any(word in text for word in words):
            return unit
    return CostUnit.SESSION


@dataclass(frozen=True, slots=True)
class Price:
    amount_pence: int
    per: CostUnit
    description: str | None


def current_price(options: list[CostOption], today: date) -> Price | None:
    """The first cost option in force today with an amount above zero; None means free."""
    for option in options:
        if option.amount is None or (option.valid_from and option.valid_from > today):
            continue
        if option.valid_to and option.valid_to < today:
            continue
        pence = int((option.amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if pence > 0:
            return Price(pence, unit_of(option), option.amount_description or option.option)
    return None
