"""What one follow-up or provider says about one planned activity, and which word on it is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from linkwork_contracts.codes import NeedCategory


@dataclass(frozen=True, slots=True)
class Attendance:
    """Whether the person took part in one planned activity (a service, for a need), as said at `contact_at`:
    by the provider (`confirmed`) or by the person or their link worker at a follow-up (a self-report)."""

    referral_id: UUID
    service_id: UUID
    need: NeedCategory
    attended: bool
    contact_at: datetime
    confirmed: bool

    def replaces(self, held: Attendance) -> bool:
        """A provider's confirmation replaces a self-report whenever it comes; a self-report never replaces a
        confirmation; between two of a kind the later one wins (the adapter's SQL states the same rule, and
        tests/integration/test_unit_of_work.py holds the adapter and the fake to it)."""
        if self.confirmed != held.confirmed:
            return self.confirmed
        return held.contact_at <= self.contact_at
