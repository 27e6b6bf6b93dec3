"""What people's follow-ups say about services: wellbeing before and after, latest attendance,
and the tallies per service and need built from them.

Tallies are recomputed from the observations rather than incremented, so a second follow-up for
the same person and service replaces the first instead of counting twice.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
from linkwork_contracts.codes import NeedCategory

from linkwork_matching.adapters.read_model import TALLY_CHANGES_LOCK
from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.domain.effectiveness import SELF_REPORTED_WEIGHT

_REFRESH_TALLY = """
INSERT INTO outcome_tallies (service_id, need, outcomes, attended, measured, wellbeing_change,
                             weighted_outcomes, weighted_attended, change_seq)
SELECT $1, $2, count(*), count(*) FILTER (WHERE o.attended),
       count(*) FILTER (WHERE o.attended AND f.swemwbs_metric IS NOT NULL
                        AND b.swemwbs_metric IS NOT NULL),
       coalesce(sum(f.swemwbs_metric - b.swemwbs_metric) FILTER (WHERE o.attended), 0),
       coalesce(sum(CASE WHEN o.confirmed THEN 1.0 ELSE $3 END), 0),
       coalesce(sum(CASE WHEN o.confirmed THEN 1.0 ELSE $3 END) FILTER (WHERE o.attended), 0),
       nextval('tally_change_seq')
FROM observations o
LEFT JOIN baselines b USING (referral_id)
LEFT JOIN follow_up_wellbeing f USING (referral_id)
WHERE o.service_id = $1 AND o.need = $2
ON CONFLICT (service_id, need) DO UPDATE
    SET outcomes = EXCLUDED.outcomes, attended = EXCLUDED.attended, measured = EXCLUDED.measured,
        wellbeing_change = EXCLUDED.wellbeing_change, weighted_outcomes = EXCLUDED.weighted_outcomes,
        weighted_attended = EXCLUDED.weighted_attended, change_seq = EXCLUDED.change_seq
"""


async def save_baseline(
    connection: asyncpg.Connection, referral_id: UUID, plan_version: int, swemwbs_metric: float | None
) -> bool:
    """Record the plan's baseline unless a later plan version is held; True if recorded."""
    stored = await connection.fetchval(
        "INSERT INTO baselines (referral_id, plan_version, swemwbs_metric) VALUES ($1, $2, $3) "
        "ON CONFLICT (referral_id) DO UPDATE SET plan_version = EXCLUDED.plan_version, "
        "swemwbs_metric = coalesce(EXCLUDED.swemwbs_metric, baselines.swemwbs_metric) "
        "WHERE baselines.plan_version <= EXCLUDED.plan_version RETURNING 1",
        referral_id,
        plan_version,
        swemwbs_metric,
    )
    return stored is not None


async def save_follow_up_wellbeing(
    connection: asyncpg.Connection, referral_id: UUID, swemwbs_metric: float, measured_at: datetime
) -> bool:
    """Keep the latest follow-up score; True if this one is the latest."""
    stored = await connection.fetchval(
        "INSERT INTO follow_up_wellbeing (referral_id, swemwbs_metric, measured_at) "
        "VALUES ($1, $2, $3) ON CONFLICT (referral_id) DO UPDATE "
        "SET swemwbs_metric = EXCLUDED.swemwbs_metric, measured_at = EXCLUDED.measured_at "
        "WHERE follow_up_wellbeing.measured_at <= EXCLUDED.measured_at RETURNING 1",
        referral_id,
        swemwbs_metric,
        measured_at,
    )
    return stored is not None


async def save_attendance(connection: asyncpg.Connection, attendance: Attendance) -> bool:
    """Keep the best word on one planned activity; True if this one is kept. The WHERE clause is
    `Attendance.replaces` said in SQL: a provider's confirmation replaces a self-report whenever it comes; a
    self-report never replaces a confirmation; between two of a kind the later one wins."""
    stored = await connection.fetchval(
        "INSERT INTO observations (referral_id, service_id, need, attended, contact_at, confirmed) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (referral_id, service_id, need) DO UPDATE "
        "SET attended = EXCLUDED.attended, contact_at = EXCLUDED.contact_at, confirmed = EXCLUDED.confirmed "
        "WHERE (EXCLUDED.confirmed AND NOT observations.confirmed) "
        "OR (EXCLUDED.confirmed = observations.confirmed AND observations.contact_at <= EXCLUDED.contact_at) "
        "RETURNING 1",
        attendance.referral_id,
        attendance.service_id,
        attendance.need.value,
        attendance.attended,
        attendance.contact_at,
        attendance.confirmed,
    )
    return stored is not None


async def observed_activities(connection: asyncpg.Connection, referral_id: UUID) -> list[tuple[UUID, NeedCategory]]:
    rows = await connection.fetch(
        "SELECT service_id, need FROM observations WHERE referral_id = $1 ORDER BY service_id, need", referral_id
    )
    return [(row["service_id"], NeedCategory(row["need"])) for row in rows]


async def refresh_tally(connection: asyncpg.Connection, service_id: UUID, need: NeedCategory) -> None:
    # Held to commit, so tally change numbers become visible in the order they were drawn.
    await connection.execute("SELECT pg_advisory_xact_lock($1, $2)", *TALLY_CHANGES_LOCK)
    await connection.execute(_REFRESH_TALLY, service_id, need.value, SELF_REPORTED_WEIGHT)
