"""Input rules the referral aggregate applies to what it is given (all raise DomainError)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from linkwork_contracts.measures import AnyMeasureResult, Timepoint

from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.records import ScheduledFollowUp


def unique(what: str, values: Sequence[object], *, minimum: int) -> None:
    if len(values) < minimum:
        raise DomainError(f"at least {minimum} {what} required")
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise DomainError(f"{what} {value} is given twice")
        seen.add(value)


def check_measures(measures: Sequence[AnyMeasureResult], timepoint: Timepoint) -> None:
    unique("measure", [m.measure.value for m in measures], minimum=0)
    if wrong := [m.measure.value for m in measures if m.timepoint is not timepoint]:
        raise DomainError(f"measures {', '.join(wrong)} must have timepoint {timepoint.value}")


def in_date_order(follow_ups: Sequence[ScheduledFollowUp]) -> tuple[ScheduledFollowUp, ...]:
    ordered = sorted(follow_ups, key=lambda f: f.due_on)
    return tuple(replace(f, sequence=number) for number, f in enumerate(ordered, start=1))
