"""Activity referrals in PostgreSQL (issue 17): the `ActivityReferralUnitOfWork` port (service_layer/ports.py)
over asyncpg. The directory's services as referral needs them, the activity referrals, their sessions and the
provider email intents: the SQL lives here; the service layer (`service_layer.activity_referrals`) decides what
happens and calls these inside its transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import astuple
from datetime import date, datetime
from typing import Any, TypeAlias
from uuid import UUID, uuid4

import asyncpg
from linkwork_contracts.events import Event
from linkwork_runtime import messaging
from linkwork_runtime.principal import Principal

from linkwork_referral.adapters import audit, timeline
from linkwork_referral.domain.activity_referral import ProviderService
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.ports import Row as RowPort

Row: TypeAlias = asyncpg.Record


class PostgresActivityReferralSession:
    """The `ActivityReferralSession` port on one connection, inside a transaction its caller owns (the unit of
    work's, or a consumer's inbox transaction)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def upsert_provider_service(self, service: ProviderService) -> None:
        """A higher revision replaces a lower one; a replayed or older snapshot changes nothing."""
        await self._connection.execute(
            """INSERT INTO provider_services
                   (service_id, organization_id, organization_name, service_name, takes_referrals, revision)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (service_id) DO UPDATE SET organization_id = EXCLUDED.organization_id,
                   organization_name = EXCLUDED.organization_name, service_name = EXCLUDED.service_name,
                   takes_referrals = EXCLUDED.takes_referrals, revision = EXCLUDED.revision
               WHERE provider_services.revision < EXCLUDED.revision""",
            *astuple(service),
        )

    async def referral_taking_service(self, service_id: UUID) -> ProviderService | None:
        row = await self._connection.fetchrow(
            "SELECT * FROM provider_services WHERE service_id = $1 AND takes_referrals", service_id
        )
        return None if row is None else ProviderService(**row)

    async def add_activity_referral(self, **values: Any) -> Row | None:
        """The new row, or None when this referral already has one for this service."""
        row: Row | None = await self._connection.fetchrow(
            """INSERT INTO activity_referrals (id, referral_id, service_id, service_name, organization_id,
                   organization_name, need, pcn, shared, referred_at, respond_by, remind_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
               ON CONFLICT (referral_id, service_id) DO NOTHING RETURNING *""",
            uuid4(),
            values["referral_id"],
            values["service_id"],
            values["service_name"],
            values["organization_id"],
            values["organization_name"],
            values["need"],
            values["pcn"],
            values["shared"],
            values["referred_at"],
            values["respond_by"],
            values["remind_at"],
        )
        return row

    async def add_email(self, row: RowPort, kind: str, at: datetime) -> None:
        """An email intent, due at once by the same clock as the step (the sender compares with it)."""
        await self._connection.execute(
            """INSERT INTO provider_emails
                   (id, activity_referral_id, kind, organization_id, next_attempt_at, created_at)
               VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (activity_referral_id, kind) DO NOTHING""",
            uuid4(),
            row["id"],
            kind,
            row["organization_id"],
            at,
        )

    async def of_organisation(self, organisation: UUID, state: str | None) -> list[Row]:
        rows: list[Row] = await self._connection.fetch(
            """SELECT * FROM activity_referrals WHERE organization_id = $1 AND ($2::text IS NULL OR state = $2)
               ORDER BY referred_at DESC, id LIMIT 500""",
            organisation,
            state,
        )
        return rows

    async def one_of_organisation(self, organisation: UUID, activity_referral_id: UUID, *, lock: bool) -> Row | None:
        row: Row | None = await self._connection.fetchrow(
            "SELECT * FROM activity_referrals WHERE id = $1 AND organization_id = $2" + (" FOR UPDATE" if lock else ""),
            activity_referral_id,
            organisation,
        )
        return row

    async def sessions(self, activity_referral_id: UUID) -> list[Row]:
        rows: list[Row] = await self._connection.fetch(
            "SELECT session_on, attendance, recorded_at FROM activity_sessions WHERE activity_referral_id = $1 "
            "ORDER BY session_on",
            activity_referral_id,
        )
        return rows

    async def accept(self, row_id: UUID, at: datetime, starts_on: date | None) -> Row:
        return await self._changed(
            """UPDATE activity_referrals SET state = 'accepted', responded_at = $2, starts_on = $3,
                   revision = revision + 1 WHERE id = $1 RETURNING *""",
            row_id,
            at,
            starts_on,
        )

    async def decline(self, row_id: UUID, at: datetime, reason: str) -> Row:
        return await self._changed(
            """UPDATE activity_referrals SET state = 'declined', responded_at = $2, decline_reason = $3,
                   starts_on = NULL, revision = revision + 1 WHERE id = $1 RETURNING *""",
            row_id,
            at,
            reason,
        )

    async def set_start(self, row_id: UUID, starts_on: date) -> Row:
        return await self._changed(
            "UPDATE activity_referrals SET starts_on = $2, revision = revision + 1 WHERE id = $1 RETURNING *",
            row_id,
            starts_on,
        )

    async def record_session(self, row_id: UUID, session_on: date, attendance: str, at: datetime) -> Row:
        """Record (or correct) one session; returns the row with its attended count brought up to date."""
        await self._connection.execute(
            """INSERT INTO activity_sessions (activity_referral_id, session_on, attendance, recorded_at)
               VALUES ($1, $2, $3, $4) ON CONFLICT (activity_referral_id, session_on)
               DO UPDATE SET attendance = EXCLUDED.attendance, recorded_at = EXCLUDED.recorded_at""",
            row_id,
            session_on,
            attendance,
            at,
        )
        return await self._changed(
            """UPDATE activity_referrals SET sessions_attended = (SELECT count(*) FROM activity_sessions
                   WHERE activity_referral_id = $1 AND attendance = 'attended') WHERE id = $1 RETURNING *""",
            row_id,
        )

    async def complete(self, row_id: UUID, at: datetime) -> Row:
        return await self._changed(
            "UPDATE activity_referrals SET state = 'completed', completed_at = $2 WHERE id = $1 RETURNING *",
            row_id,
            at,
        )

    async def claim_reminders(self, now: datetime, limit: int) -> list[Row]:
        """Awaiting an answer, reminder due and not sent, deadline not yet passed; locked, skipping locked rows."""
        rows: list[Row] = await self._connection.fetch(
            """SELECT * FROM activity_referrals
               WHERE state = 'awaiting-response' AND reminded_at IS NULL AND remind_at <= $1 AND respond_by > $1
               ORDER BY remind_at, id LIMIT $2
               FOR UPDATE SKIP LOCKED""",
            now,
            limit,
        )
        return rows

    async def mark_reminded(self, row_id: UUID, at: datetime) -> None:
        await self._connection.execute("UPDATE activity_referrals SET reminded_at = $2 WHERE id = $1", row_id, at)

    async def claim_expired(self, now: datetime, limit: int) -> list[Row]:
        """Awaiting an answer past the deadline; locked, skipping rows another replica holds."""
        rows: list[Row] = await self._connection.fetch(
            """SELECT * FROM activity_referrals
               WHERE state = 'awaiting-response' AND respond_by <= $1
               ORDER BY respond_by, id LIMIT $2
               FOR UPDATE SKIP LOCKED""",
            now,
            limit,
        )
        return rows

    async def withdraw_unanswered(self, referral_id: UUID) -> list[Row]:
        """The referral's activity referrals still awaiting an answer, now withdrawn (locked like any step)."""
        rows: list[Row] = await self._connection.fetch(
            """UPDATE activity_referrals SET state = 'withdrawn'
               WHERE referral_id = $1 AND state = 'awaiting-response' RETURNING *""",
            referral_id,
        )
        return rows

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None:
        await timeline.append(self._connection, referral_id, at, entry, actor, actor_role)

    async def emit(self, event: Event, source: str) -> None:
        await messaging.add(self._connection, event, source=source)

    async def audit(self, principal: Principal, entry: AuditRecord) -> None:
        await audit.record(self._connection, principal, entry)

    async def _changed(self, statement: str, *arguments: object) -> Row:
        """The row an UPDATE ... RETURNING * changed (one that exists: the caller holds it locked)."""
        row: Row = await self._connection.fetchrow(statement, *arguments)
        return row


class PostgresActivityReferrals:
    """The `ActivityReferralUnitOfWork` port: one pooled connection and transaction per block."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresActivityReferralSession]:
        async with self._pool.acquire() as connection, connection.transaction():
            yield PostgresActivityReferralSession(connection)
