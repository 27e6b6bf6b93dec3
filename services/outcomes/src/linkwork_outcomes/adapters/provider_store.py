"""The provider loop's facts (migration 004): answers, sessions and completions of activity referrals.

Every write is an idempotent, order-independent upsert, so the consumer's at-least-once delivery and a
replay from the start of the topics both leave the same rows.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
from linkwork_contracts.events import ActivityReferralRespondedV1, AttendanceConfirmedV1, Event
from linkwork_runtime.database import from_record

from linkwork_outcomes.domain.provider_figures import ActivityReferralRow

# The provider loop's events (issue 17), stored here rather than as facts for the referral projector.
PROVIDER_LOOP: tuple[type[Event], ...] = (ActivityReferralRespondedV1, AttendanceConfirmedV1)
TABLES = ("activity_referral", "session_attendance", "activity_completion")


async def store(connection: asyncpg.Connection, event: Event) -> None:
    """Store one provider-loop event (the live consumer and a rebuild's replay both come here)."""
    if isinstance(event, ActivityReferralRespondedV1):
        await record_response(connection, event)
    elif isinstance(event, AttendanceConfirmedV1):
        await record_attendance(connection, event)
    else:
        raise TypeError(f"{type(event).__name__} is not a provider-loop event")


async def record_response(connection: asyncpg.Connection, event: ActivityReferralRespondedV1) -> None:
    await connection.execute(
        """INSERT INTO activity_referral (id, service_id, organization_id, pcn_code, referred_at, first_responded_at,
                                          revision, decision, decline_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (id) DO UPDATE SET
               first_responded_at = least(activity_referral.first_responded_at, EXCLUDED.first_responded_at),
               revision = greatest(activity_referral.revision, EXCLUDED.revision),
               decision = CASE WHEN EXCLUDED.revision > activity_referral.revision
                               THEN EXCLUDED.decision ELSE activity_referral.decision END,
               decline_reason = CASE WHEN EXCLUDED.revision > activity_referral.revision
                                     THEN EXCLUDED.decline_reason ELSE activity_referral.decline_reason END""",
        event.activity_referral_id,
        event.service_id,
        event.organization_id,
        event.pcn_code,
        event.referred_at,
        event.responded_at,
        event.revision,
        event.decision.value,
        event.decline_reason.value if event.decline_reason else None,
    )


async def record_attendance(connection: asyncpg.Connection, event: AttendanceConfirmedV1) -> None:
    if event.session_on is not None and event.attendance is not None:
        await connection.execute(
            """INSERT INTO session_attendance (activity_referral_id, session_on, attendance, recorded_at)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (activity_referral_id, session_on) DO UPDATE
                   SET attendance = EXCLUDED.attendance, recorded_at = EXCLUDED.recorded_at
                   WHERE session_attendance.recorded_at <= EXCLUDED.recorded_at""",
            event.activity_referral_id,
            event.session_on,
            event.attendance.value,
            event.recorded_at,
        )
    if event.completed:
        await connection.execute(
            """INSERT INTO activity_completion (activity_referral_id, completed_at) VALUES ($1, $2)
               ON CONFLICT (activity_referral_id) DO UPDATE
                   SET completed_at = least(activity_completion.completed_at, EXCLUDED.completed_at)""",
            event.activity_referral_id,
            event.recorded_at,
        )


async def activity_referrals(
    connection: asyncpg.Connection, start: datetime, end: datetime, pcns: list[str]
) -> list[ActivityReferralRow]:
    """Activity referrals referred in [start, end) in these PCNs, with their sessions and completion."""
    # Each column is named like the row's field it fills.
    rows = await connection.fetch(
        """SELECT a.organization_id, l.provider_name AS organization_name, a.service_id, l.name AS service_name,
                  a.referred_at, a.first_responded_at AS responded_at, a.decision, a.decline_reason,
                  (SELECT count(*) FROM session_attendance s
                    WHERE s.activity_referral_id = a.id AND s.attendance = 'attended') AS sessions_attended,
                  (SELECT count(*) FROM session_attendance s
                    WHERE s.activity_referral_id = a.id AND s.attendance = 'did-not-attend') AS sessions_missed,
                  EXISTS (SELECT 1 FROM activity_completion c WHERE c.activity_referral_id = a.id) AS completed
           FROM activity_referral a LEFT JOIN service_label l ON l.service_id = a.service_id
           WHERE a.referred_at >= $1 AND a.referred_at < $2 AND a.pcn_code = ANY($3::text[])
           ORDER BY a.organization_id, a.service_id, a.id""",
        start,
        end,
        pcns,
    )
    return [
        from_record(
            ActivityReferralRow, row, organization_id=str(row["organization_id"]), service_id=str(row["service_id"])
        )
        for row in rows
    ]
