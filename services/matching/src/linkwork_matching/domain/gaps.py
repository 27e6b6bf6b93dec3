"""Gaps in provision: needs with nothing suitable within reach, counted per area and reported
in aggregate so that a busy area with a persistent gap yields one event a period, not one per
referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from linkwork_contracts.codes import NeedCategory


@dataclass(frozen=True, slots=True)
class GapTally:
    """Referrals in one postcode district whose need had no eligible service within reach."""

    need: NeedCategory
    postcode_district: str
    pending: int  # referrals since the last report
    total: int  # referrals ever
    first_seen: datetime
    last_seen: datetime
    last_reported: datetime | None


@dataclass(frozen=True, slots=True)
class GapPolicy:
    # At most one report per area and need in this period; the first report waits only for the
    # next flush, so a new gap is known within minutes.
    report_interval: timedelta = timedelta(hours=24)

    def due(self, tally: GapTally, now: datetime) -> bool:
        if tally.pending <= 0:
            return False
        return tally.last_reported is None or now - tally.last_reported >= self.report_interval

    def window_start(self, tally: GapTally) -> datetime:
        """Start of the period the pending count covers."""
        return tally.last_reported or tally.first_seen
