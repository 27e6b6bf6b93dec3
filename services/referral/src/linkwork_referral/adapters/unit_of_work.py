"""The `ReferralUnitOfWork` port (service_layer/ports.py) over asyncpg: one pooled connection and transaction.

Writes are held until the block ends or something must be read. A block that only writes a new referral, its
timeline entries and outbox events, and its audit record (POST /referrals without an Idempotency-Key) then
sends them as one statement: in one round trip instead of seven (BEGIN, four INSERTs, COMMIT), atomic as the
statement is its own transaction. Measured with bench/system (issue 20): the round trips' socket writes were
the largest share of the referral service's time. Any other block (a read, an Idempotency-Key to claim)
begins a transaction and sends its held writes in order first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import orjson
from asyncpg.transaction import Transaction
from linkwork_contracts.events import Event
from linkwork_runtime import messaging
from linkwork_runtime.messaging import outbox
from linkwork_runtime.principal import Principal

from linkwork_referral.adapters import audit, idempotency, repository, suggestion_store, timeline
from linkwork_referral.adapters.activity_referral_store import PostgresActivityReferralSession
from linkwork_referral.adapters.repository import ReferralRepository
from linkwork_referral.adapters.suggestion_store import PostgresSuggestionStore
from linkwork_referral.domain.access import CaseloadScope
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.caseload import CaseloadQuery, Page, Workload
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.ports import EarlierRequest, IdempotencyKey

# $1-$13 the referral (repository.insert_values); $14-$15 the actor; $16-$19 timeline entries; $20-$24 outbox
# rows, each behind the advisory lock on its topic and key that linkwork_runtime.messaging.outbox._INSERT
# takes (same-key events publish in commit order); $25-$33 the audit record. Nothing but the referral is
# written when its request id was already known (no row in `referral`). Foreign keys are checked at the end
# of the statement, so the timeline may refer to the referral inserted beside it.
_CREATE = f"""
WITH referral AS (
    {repository.INSERT} RETURNING id
), timeline_rows AS (
    INSERT INTO timeline (referral_id, at, kind, actor, actor_role, summary, detail)
    SELECT referral.id, t.at, t.kind, $14::text, $15::text, t.summary, t.detail::jsonb
    FROM referral,
         unnest($16::timestamptz[], $17::text[], $18::text[], $19::text[]) WITH ORDINALITY AS t (at, kind, summary, detail, n)
    ORDER BY t.n
), outbox_rows AS (
    INSERT INTO outbox (event_id, topic, key, value, headers)
    SELECT o.event_id, o.topic, o.key, o.value, o.headers::jsonb
    FROM referral,
         unnest($20::text[], $21::text[], $22::text[], $23::bytea[], $24::text[])
             WITH ORDINALITY AS o (event_id, topic, key, value, headers, n)
         CROSS JOIN LATERAL pg_advisory_xact_lock(hashtextextended(o.topic || chr(31) || o.key, 0)) AS locked
    ORDER BY o.n
)
INSERT INTO audit_log ({audit.COLUMNS})
SELECT $25::text, $26::text, $27::text, $28::text, $29::text, $30::uuid, $31::text, $32::uuid[], $33::text
FROM referral
"""  # noqa: E501


@dataclass(frozen=True)
class _Add:
    referral: Referral


@dataclass(frozen=True)
class _Timeline:
    referral_id: UUID
    at: datetime
    entry: Entry
    actor: str | None
    role: str | None


@dataclass(frozen=True)
class _Emit:
    event: Event
    source: str
    event_id: str | None


@dataclass(frozen=True)
class _Audit:
    principal: Principal
    entry: AuditRecord


class PostgresReferralSession:
    """The `ReferralSession` port on one connection. Writes are held until something is read (or the unit of
    work ends the block); a session `joining` a transaction its caller owns holds nothing."""

    def __init__(self, connection: asyncpg.Connection, time_zone: ZoneInfo, person_ref: Callable[[Referral], str]):
        self._connection = connection
        self._repository = ReferralRepository(connection, time_zone)
        self._person_ref = person_ref
        self._held: list[_Add | _Timeline | _Emit | _Audit] = []
        self._transaction: Transaction | None = None
        self._begun = False

    @classmethod
    def joining(
        cls, connection: asyncpg.Connection, time_zone: ZoneInfo, person_ref: Callable[[Referral], str]
    ) -> PostgresReferralSession:
        """A session inside the caller's transaction (a consumer's inbox transaction): every write is sent at
        once, and committing is the caller's."""
        session = cls(connection, time_zone, person_ref)
        session._begun = True
        return session

    async def add(self, referral: Referral) -> None:
        await self._write(_Add(referral))

    async def request_known(self, request_source: str, request_id: str) -> bool:
        await self._begin()
        return await self._repository.request_known(request_source, request_id)

    async def add_requested(self, referral: Referral, request_source: str) -> bool:
        await self._begin()
        return await self._repository.add(referral, self._person_ref(referral), request_source)

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None:
        await self._write(_Timeline(referral_id, at, entry, actor, actor_role))

    async def emit(self, event: Event, source: str, event_id: str | None = None) -> None:
        await self._write(_Emit(event, source, event_id))

    async def audit(self, principal: Principal, entry: AuditRecord) -> None:
        await self._write(_Audit(principal, entry))

    async def audit_as(self, subject: str, role: str, pcn: str, entry: AuditRecord) -> None:
        await self._begin()
        await audit.record_as(self._connection, subject, role, pcn, entry)

    async def get(self, referral_id: UUID, *, for_update: bool = False) -> Referral | None:
        await self._begin()
        return await self._repository.get(referral_id, for_update=for_update)

    async def save(self, referral: Referral) -> None:
        await self._begin()
        await self._repository.save(referral)

    async def pcn_of(self, referral_id: UUID) -> str | None:
        await self._begin()
        return await self._repository.pcn_of(referral_id)

    async def claim_key(self, subject: str, key: IdempotencyKey, referral_id: UUID) -> bool:
        await self._begin()
        return await idempotency.claim(self._connection, subject, key.key, key.request_hash, referral_id)

    async def earlier_request(self, subject: str, key: str) -> EarlierRequest | None:
        await self._begin()
        return await idempotency.find(self._connection, subject, key)

    async def caseload(self, scope: CaseloadScope, query: CaseloadQuery) -> Page:
        await self._begin()
        return await self._repository.caseload(scope, query)

    async def possible_duplicates(
        self, scope: CaseloadScope, nhs_number: str, family_name: str, date_of_birth: date, postcode: str | None
    ) -> list[tuple[Referral, str]]:
        await self._begin()
        return await self._repository.possible_duplicates(scope, nhs_number, family_name, date_of_birth, postcode)

    async def workload(self, pcn: str) -> list[Workload]:
        await self._begin()
        return await self._repository.workload(pcn)

    async def open_referrals_of(self, pcn: str, link_worker: str) -> list[UUID]:
        await self._begin()
        return await self._repository.open_referrals_of(pcn, link_worker)

    async def timeline(self, referral_id: UUID) -> list[dict[str, Any]]:
        await self._begin()
        return [dict(row) for row in await timeline.read(self._connection, referral_id)]

    async def suggestions(self) -> PostgresSuggestionStore:
        await self._begin()
        return PostgresSuggestionStore(self._connection)

    async def latest_suggestions(self, referral_id: UUID) -> dict[str, Any] | None:
        await self._begin()
        return await suggestion_store.latest_body(self._connection, referral_id)

    async def activity_referrals(self) -> PostgresActivityReferralSession:
        await self._begin()
        return PostgresActivityReferralSession(self._connection)

    async def audit_listing(
        self, pcn: str, *, referral_id: UUID | None, subject: str | None, before_id: int | None, limit: int
    ) -> list[dict[str, Any]]:
        await self._begin()
        rows = await audit.listing(
            self._connection, pcn, referral_id=referral_id, subject=subject, before_id=before_id, limit=limit
        )
        return [dict(row) for row in rows]

    async def _write(self, write: _Add | _Timeline | _Emit | _Audit) -> None:
        self._held.append(write)
        if self._begun:
            await self._send_held()

    async def _begin(self) -> None:
        """Begin the transaction (once) and send what is held, in order."""
        if not self._begun:
            self._transaction = self._connection.transaction()
            await self._transaction.start()
            self._begun = True
        await self._send_held()

    async def _send_held(self) -> None:
        held, self._held = self._held, []
        for write in held:
            if isinstance(write, _Add):
                await self._repository.add(write.referral, self._person_ref(write.referral))
            elif isinstance(write, _Timeline):
                await timeline.append(
                    self._connection, write.referral_id, write.at, write.entry, write.actor, write.role
                )
            elif isinstance(write, _Emit):
                await messaging.add(self._connection, write.event, source=write.source, event_id=write.event_id)
            else:
                await audit.record(self._connection, write.principal, write.entry)

    async def finish(self) -> None:
        if not self._begun and await self._in_one_statement():
            return
        await self._begin()
        assert self._transaction is not None
        await self._transaction.commit()

    async def abandon(self) -> None:
        self._held.clear()
        # A COMMIT that failed has already ended the transaction in PostgreSQL: nothing is left to roll back.
        if self._transaction is not None and self._connection.is_in_transaction():
            await self._transaction.rollback()

    async def _in_one_statement(self) -> bool:
        """A new referral, its timeline entries (all by one actor) and outbox events, then its audit record,
        nothing else: sent as one statement. False when not that."""
        if len(self._held) < 2:
            return False
        add, *changes, record = self._held
        timeline_rows = [c for c in changes if isinstance(c, _Timeline)]
        events = [c for c in changes if isinstance(c, _Emit)]
        if not (
            isinstance(add, _Add)
            and isinstance(record, _Audit)
            and len(timeline_rows) + len(events) == len(changes)
            and all(t.referral_id == add.referral.id for t in timeline_rows)
            and len({(t.actor, t.role) for t in timeline_rows}) <= 1
        ):
            return False
        actor, role = (timeline_rows[0].actor, timeline_rows[0].role) if timeline_rows else (None, None)
        rows = [outbox.row(e.event, source=e.source, event_id=e.event_id) for e in events]
        rows.sort(key=lambda row: (row[1], row[2]))  # as add_many
        principal = record.principal
        await self._connection.execute(
            _CREATE,
            *repository.insert_values(add.referral, self._person_ref(add.referral)),
            actor,
            role,
            [t.at for t in timeline_rows],
            [t.entry.kind for t in timeline_rows],
            [t.entry.summary for t in timeline_rows],
            [orjson.dumps(t.entry.detail).decode() for t in timeline_rows],
            [row[0] for row in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
            [row[3] for row in rows],
            [orjson.dumps(row[4]).decode() for row in rows],
            *audit.values(principal.subject, principal.role.value, principal.pcn, record.entry),
        )
        self._held.clear()
        return True


class PostgresReferralUnitOfWork:
    def __init__(self, pool: asyncpg.Pool, time_zone: ZoneInfo, person_ref: Callable[[Referral], str]) -> None:
        self._pool, self._zone, self._person_ref = pool, time_zone, person_ref

    def joining(self, connection: asyncpg.Connection) -> PostgresReferralSession:
        """A session inside a transaction the caller owns (a consumer's inbox transaction)."""
        return PostgresReferralSession.joining(connection, self._zone, self._person_ref)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresReferralSession]:
        async with self._pool.acquire() as connection:
            session = PostgresReferralSession(connection, self._zone, self._person_ref)
            try:
                yield session
                # Inside the try: writes held until now may be refused, and then the transaction ends here.
                await session.finish()
            except BaseException:
                await session.abandon()
                raise

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        async with self._pool.acquire() as connection:
            await audit.record(connection, principal, entry)
