"""SQL of the notifications database: referrals heard of, messages, opt-outs and link workers' tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from linkwork_notifications.domain.messages import Channel, Reason, Status


@dataclass(frozen=True)
class Claimed:
    id: UUID
    reason: Reason
    referral_id: UUID
    person_ref: str
    pcn_code: str
    link_worker_id: str | None
    due_on: date | None
    channel: Channel | None
    attempts: int
    in_doubt: bool  # a previous sender handed it to a provider and never recorded the outcome


async def remember_referral(
    connection: asyncpg.Connection, referral_id: UUID, person_ref: str, pcn_code: str, created_at: datetime
) -> bool:
    """Record a referral; True if it is new (a later version of referral-created changes nothing here)."""
    inserted = await connection.fetchval(
        """INSERT INTO referrals (referral_id, person_ref, pcn_code, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (referral_id) DO NOTHING RETURNING true""",
        referral_id,
        person_ref,
        pcn_code,
        created_at,
    )
    return bool(inserted)


async def record_contact(connection: asyncpg.Connection, referral_id: UUID, at: datetime) -> None:
    await connection.execute(
        """UPDATE referrals SET first_contact_at = LEAST(COALESCE(first_contact_at, $2), $2)
           WHERE referral_id = $1""",
        referral_id,
        at,
    )


async def add_message(
    connection: asyncpg.Connection,
    *,
    event_source: str,
    event_id: str,
    reason: Reason,
    referral_id: UUID,
    person_ref: str,
    pcn_code: str,
    link_worker_id: str | None = None,
    due_on: date | None = None,
) -> None:
    await connection.execute(
        """INSERT INTO messages (id, event_source, event_id, reason, referral_id, person_ref, pcn_code,
                                 link_worker_id, due_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (event_source, event_id, reason) DO NOTHING""",
        uuid.uuid4(),
        event_source,
        event_id,
        reason.value,
        referral_id,
        person_ref,
        pcn_code,
        link_worker_id,
        due_on,
    )


async def add_task(
    connection: asyncpg.Connection,
    *,
    kind: str,
    subject_id: str,
    referral_id: UUID,
    pcn_code: str,
    link_worker_id: str | None,
    due_on: date,
    detail: str | None = None,
) -> None:
    await connection.execute(
        """INSERT INTO tasks (id, kind, subject_id, referral_id, pcn_code, link_worker_id, due_on, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, subject_id) DO NOTHING""",
        uuid.uuid4(),
        kind,
        subject_id,
        referral_id,
        pcn_code,
        link_worker_id,
        due_on,
        detail,
    )


async def finish_task(connection: asyncpg.Connection, kind: str, subject_id: str) -> None:
    await connection.execute(
        "UPDATE tasks SET done_at = now() WHERE kind = $1 AND subject_id = $2 AND done_at IS NULL", kind, subject_id
    )


_CLAIM = """
WITH due AS (
    SELECT id, status FROM messages
    WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
    ORDER BY next_attempt_at LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE messages m
SET status = 'sending', attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => $2),
    updated_at = now()
FROM due
WHERE m.id = due.id
RETURNING m.id, m.reason, m.referral_id, m.person_ref, m.pcn_code, m.link_worker_id, m.due_on, m.channel,
          m.attempts, due.status = 'sending' AS in_doubt
"""


async def claim(pool: asyncpg.Pool, batch_size: int, lease_seconds: float) -> list[Claimed]:
    """Take due messages under a lease, committed before anything is sent (a crash leaves them in doubt)."""
    async with pool.acquire() as connection, connection.transaction():
        rows = await connection.fetch(_CLAIM, batch_size, lease_seconds)
    return [
        Claimed(
            id=row["id"],
            reason=Reason(row["reason"]),
            referral_id=row["referral_id"],
            person_ref=row["person_ref"],
            pcn_code=row["pcn_code"],
            link_worker_id=row["link_worker_id"],
            due_on=row["due_on"],
            channel=Channel(row["channel"]) if row["channel"] else None,
            attempts=row["attempts"],
            in_doubt=row["in_doubt"],
        )
        for row in rows
    ]


async def set_channel(pool: asyncpg.Pool, message_id: UUID, channel: Channel) -> None:
    await pool.execute("UPDATE messages SET channel = $2 WHERE id = $1", message_id, channel.value)


async def opted_out(connection: asyncpg.Connection | asyncpg.Pool, person_ref: str) -> frozenset[Channel]:
    rows = await connection.fetch("SELECT channel FROM opt_outs WHERE person_ref = $1", person_ref)
    return frozenset(Channel(row["channel"]) for row in rows)


async def settle(
    connection: asyncpg.Connection,
    message_id: UUID,
    status: Status,
    *,
    provider_id: str | None = None,
    failure: str | None = None,
    suppressed_because: str | None = None,
    retry_in_seconds: float | None = None,
) -> None:
    """Record the outcome of a claimed message. `retry_in_seconds` puts it back to pending for later."""
    await connection.execute(
        """UPDATE messages SET status = $2, provider_id = COALESCE($3, provider_id), failure = $4,
                  suppressed_because = $5, updated_at = now(),
                  next_attempt_at = now() + make_interval(secs => COALESCE($6, 0))
           WHERE id = $1""",
        message_id,
        status.value,
        provider_id,
        failure,
        suppressed_because,
        retry_in_seconds,
    )
