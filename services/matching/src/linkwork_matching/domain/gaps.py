"""Gaps in provision: needs with nothing suitable within reach, counted per area and reported
in aggregate so that a busy area with a persistent gap yields one event a period, not one per
referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from linkwork_contracts.codes import NeedCategory


@dataclass(frozen=True, slots=True)
class GapTally:
    """One postcode district and need, since the last report (or since first seen)."""

    need: NeedCategory
    postcode_district: str
    with_need: int  # referrals from the area with this need
    unmet: int  # of which had no eligible service within reach
    window_start: datetime
    last_reported: datetime | None
    nearest_km: float | None  # nearest otherwise-eligible venue out of reach, if any
    excluded_by: str | None = None  # which providers' rule excluded the services near enough (issue 21)


@dataclass(frozen=True, slots=True)
class GapObservation:
    need: NeedCategory
    postcode_district: str
    unmet: bool
    nearest_km: float | None
    excluded_by: str | None = None  # for an unmet need: the providers' rule that excluded near services


@dataclass(frozen=True, slots=True)
class OpenGap:
    """Unreported unmet referrals of one area and need, locked by the reporting transaction."""

    tally: GapTally
    referral_ids: frozenset[UUID]


@dataclass(frozen=True, slots=True)
class GapPolicy:
    # At most one report per area and need in this period. The first report of a new gap waits
    # only for the next flush, so a gap is known within minutes and then summarised daily.
    report_interval: timedelta = timedelta(hours=24)

    def due(self, tally: GapTally, now: datetime) -> bool:
        if tally.unmet <= 0:
            return False
        return tally.last_reported is None or now - tally.last_reported >= self.report_interval
