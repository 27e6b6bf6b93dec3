"""SQL of the notifications database: referrals heard of, messages, opt-outs and link workers' tasks.

`PostgresMessageStore` is the `MessageStore` port: over a pool for the dispatcher, and `PostgresEventRecords`
on the connection of the consumer's transaction for the event handlers.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from uuid import UUID

import asyncpg
from linkwork_runtime.database import from_record

from linkwork_notifications.domain import receipts, tasks
from linkwork_notifications.domain.messages import Channel, Claimed, NewMessage, Reason, Settlement, Status
from linkwork_notifications.domain.tasks import NewTask, OpenTask


async def add_task(connection: asyncpg.Connection, task: NewTask) -> None:
    await connection.execute(
        """INSERT INTO tasks (id, kind, subject_id, referral_id, pcn_code, link_worker_id, due_on, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, subject_id) DO NOTHING""",
        uuid.uuid4(),
        task.kind,
        task.subject_id,
        task.referral_id,
        task.pcn_code,
        task.link_worker_id,
        task.due_on,
        task.detail,
    )


class PostgresEventRecords:
    """The event handlers' `EventRecords` (service_layer/ports.py) on the connection of the consumer's transaction."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def remember_referral(self, referral_id: UUID, person_ref: str, pcn_code: str, created_at: datetime) -> bool:
        inserted = await self._connection.fetchval(
            """INSERT INTO referrals (referral_id, person_ref, pcn_code, created_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (referral_id) DO NOTHING RETURNING true""",
            referral_id,
            person_ref,
            pcn_code,
            created_at,
        )
        return bool(inserted)

    async def record_contact(self, referral_id: UUID, at: datetime) -> None:
        await self._connection.execute(
            """UPDATE referrals SET first_contact_at = LEAST(COALESCE(first_contact_at, $2), $2)
               WHERE referral_id = $1""",
            referral_id,
            at,
        )

    async def add_message(self, message: NewMessage) -> None:
        await self._connection.execute(
            """INSERT INTO messages (id, event_source, event_id, reason, referral_id, person_ref, pcn_code,
                                     link_worker_id, due_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (event_source, event_id, reason) DO NOTHING""",
            uuid.uuid4(),
            message.event_source,
            message.event_id,
            message.reason.value,
            message.referral_id,
            message.person_ref,
            message.pcn_code,
            message.link_worker_id,
            message.due_on,
        )

    async def add_task(self, task: NewTask) -> None:
        await add_task(self._connection, task)

    async def finish_task(self, kind: str, subject_id: str) -> None:
        await self._connection.execute(
            "UPDATE tasks SET done_at = now() WHERE kind = $1 AND subject_id = $2 AND done_at IS NULL",
            kind,
            subject_id,
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
          m.attempts, due.status = 'sending' AS in_doubt, m.created_at
"""


class PostgresMessageStore:
    """The `MessageStore` (service_layer/ports.py): the dispatcher's on the service's pool, the event handlers'
    on the connection of the consumer's transaction they join."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def joining(self, transaction: asyncpg.Connection) -> PostgresEventRecords:
        return PostgresEventRecords(transaction)

    async def claim(self, batch_size: int, lease_seconds: float) -> list[Claimed]:
        async with self._pool.acquire() as connection, connection.transaction():
            rows = await connection.fetch(_CLAIM, batch_size, lease_seconds)
        return [
            from_record(
                Claimed,
                row,
                reason=Reason(row["reason"]),
                channel=Channel(row["channel"]) if row["channel"] else None,
            )
            for row in rows
        ]

    async def set_channel(self, message_id: UUID, channel: Channel) -> None:
        await self._pool.execute("UPDATE messages SET channel = $2 WHERE id = $1", message_id, channel.value)

    async def opted_out(self, person_ref: str) -> frozenset[Channel]:
        rows = await self._pool.fetch("SELECT channel FROM opt_outs WHERE person_ref = $1", person_ref)
        return frozenset(Channel(row["channel"]) for row in rows)

    async def settle(self, message_id: UUID, settlement: Settlement) -> None:
        await _settle(self._pool, message_id, settlement)

    async def wait(self, message_id: UUID, seconds: float) -> None:
        await self._pool.execute(
            """UPDATE messages SET status = 'pending', attempts = attempts - 1, updated_at = now(),
                      next_attempt_at = now() + make_interval(secs => $2)
               WHERE id = $1""",
            message_id,
            seconds,
        )

    async def undeliverable(self, message_id: UUID, failure: str, task: NewTask) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            await _settle(connection, message_id, Settlement(Status.UNDELIVERABLE, failure=failure))
            await add_task(connection, task)


async def _settle(connection: asyncpg.Connection | asyncpg.Pool, message_id: UUID, settlement: Settlement) -> None:
    await connection.execute(
        """UPDATE messages SET status = $2, provider_id = COALESCE($3, provider_id), failure = $4,
                  suppressed_because = $5, updated_at = now(),
                  next_attempt_at = now() + make_interval(secs => COALESCE($6, 0))
           WHERE id = $1""",
        message_id,
        settlement.status.value,
        settlement.provider_id,
        settlement.failure,
        settlement.suppressed_because,
        settlement.retry_in_seconds,
    )


# The link worker's list: open tasks due by `today` (undeliverable ones at once), and first contacts overdue.
_TASKS = """
SELECT kind, referral_id, due_on, link_worker_id, detail FROM tasks
WHERE pcn_code = $1 AND done_at IS NULL AND (kind = 'undeliverable' OR due_on <= $2)
  AND ($3::text IS NULL OR link_worker_id = $3 OR link_worker_id IS NULL)
UNION ALL
SELECT 'first-contact-overdue', referral_id, (created_at AT TIME ZONE $5)::date + $4::int, NULL, NULL FROM referrals
WHERE pcn_code = $1 AND first_contact_at IS NULL AND created_at < now() - make_interval(days => $4::int)
ORDER BY 3, 1, 2
LIMIT 500
"""


async def open_tasks(
    pool: asyncpg.Pool, pcn_code: str, today: date, link_worker_id: str | None, overdue_days: int, timezone: str
) -> list[OpenTask]:
    """`link_worker_id`: that link worker's tasks and unassigned ones; None: the whole PCN's."""
    rows = await pool.fetch(_TASKS, pcn_code, today, link_worker_id, overdue_days, timezone)
    return [from_record(OpenTask, row) for row in rows]  # the first SELECT of the UNION names the columns


async def person_ref_in_pcn(pool: asyncpg.Pool, referral_id: UUID, pcn_code: str) -> str | None:
    found = await pool.fetchval(
        "SELECT person_ref FROM referrals WHERE referral_id = $1 AND pcn_code = $2", referral_id, pcn_code
    )
    return None if found is None else str(found)


async def set_opt_out(pool: asyncpg.Pool, person_ref: str, channel: Channel, *, opted_out: bool) -> None:
    if opted_out:
        await pool.execute(
            "INSERT INTO opt_outs (person_ref, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            person_ref,
            channel.value,
        )
    else:
        await pool.execute("DELETE FROM opt_outs WHERE person_ref = $1 AND channel = $2", person_ref, channel.value)


async def apply_receipt(
    pool: asyncpg.Pool, provider_id: str, notify_status: str, today: date
) -> tuple[Channel | None, Status] | None:
    """Apply Notify's receipt to the message it is about (locked meanwhile): its channel and new status,
    or None when no message of ours has that id or the receipt changes nothing."""
    async with pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(
            "SELECT id, referral_id, pcn_code, link_worker_id, channel, status FROM messages "
            "WHERE provider_id = $1 FOR UPDATE",
            provider_id,
        )
        if row is None:
            return None
        new = receipts.after_receipt(notify_status, Status(row["status"]))
        if new is None:
            return None
        channel = Channel(row["channel"]) if row["channel"] else None
        failure = notify_status if new is Status.UNDELIVERABLE else None
        await connection.execute(
            "UPDATE messages SET status = $2, failure = COALESCE($3, failure), updated_at = now() WHERE id = $1",
            row["id"],
            new.value,
            failure,
        )
        if new is Status.UNDELIVERABLE:
            task = tasks.undeliverable(
                row["id"], row["referral_id"], row["pcn_code"], row["link_worker_id"], channel, notify_status, today
            )
            await add_task(connection, task)
    return channel, new
