"""How a newly agreed plan changes which services' places are taken.

`plan-agreed` carries the whole current plan; a later version replaces the earlier one. A service
newly in the plan takes a place in the week its activity starts (or the plan was agreed); one that
was dropped gives its place back; one still in the plan keeps the week it was first counted in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class PlanChange:
    added: dict[UUID, date]
    removed: set[UUID]

    @property
    def services(self) -> set[UUID]:
        return set(self.added) | self.removed


def plan_change(counted: Mapping[UUID, date], planned: Iterable[tuple[UUID, date]]) -> PlanChange:
    wanted = dict(planned)
    return PlanChange(
        added={service: week for service, week in wanted.items() if service not in counted},
        removed={service for service in counted if service not in wanted},
    )


def is_newer(version: int, counted_version: int | None) -> bool:
    """Versions can arrive twice or out of order; only a higher one replaces the plan."""
    return counted_version is None or version > counted_version
