"""What the directory knows about a service beyond its ORUK record: verification, withdrawal, uptake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from linkwork_contracts.codes import CapacityStatus

from linkwork_directory.domain.capacity import capacity_status, places_remaining
from linkwork_directory.domain.extension import SocialPrescribing


@dataclass(frozen=True, slots=True)
class ServiceState:
    settings: SocialPrescribing
    last_verified_at: datetime | None
    verified_by: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    revision: int
    week_starting: date
    taken_this_week: int
    uptake_total: int

    @property
    def places_remaining(self) -> int | None:
        return places_remaining(self.settings.places_per_week, self.taken_this_week)

    @property
    def capacity_status(self) -> CapacityStatus:
        return capacity_status(self.settings.places_per_week, self.taken_this_week, self.settings.waiting_list)
