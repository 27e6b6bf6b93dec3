"""What the directory knows about a service beyond its ORUK record: verification, withdrawal, uptake,
and its waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from linkwork_contracts.codes import CapacityStatus

from linkwork_directory.domain.capacity import capacity_status, places_remaining
from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.waiting_list import NO_STARTS, Throughput, WaitEstimate, estimate_wait


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
    waiting: int = 0  # people on the waiting list now (issue 17)
    throughput: Throughput = NO_STARTS  # people started in the recent window

    @property
    def wait(self) -> WaitEstimate:
        """What someone joining the waiting list now can expect."""
        return estimate_wait(
            ahead=self.waiting,
            places_remaining=self.places_remaining,
            places_per_week=self.settings.places_per_week,
            throughput=self.throughput,
        )

    @property
    def places_remaining(self) -> int | None:
        return places_remaining(self.settings.places_per_week, self.taken_this_week)

    @property
    def capacity_status(self) -> CapacityStatus:
        return capacity_status(
            self.settings.places_per_week, self.taken_this_week, self.settings.waiting_list, waiting=self.waiting
        )
