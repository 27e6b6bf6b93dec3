"""The `ReferralUnitOfWork` port (service_layer/ports.py) over asyncpg: one pooled connection and transaction.

Writes are held until the block ends or something must be read. A block that only writes a new referral and
its audit record (POST /referrals without an Idempotency-Key) then sends them as one statement: the referral,
its timeline entry, its outbox event and the audit record in one round trip instead of seven (BEGIN, four
INSERTs, COMMIT), atomic as the statement is its own transaction. Measured with bench/system (issue 20): the
round trips' socket writes were the largest share of the referral service's time. Any other block (a read,
an Idempotency-Key to claim) begins a transaction and sends its held writes in order first, as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import orjson
from asyncpg.transaction import Transaction
from linkwork_runtime.principal import Principal

from linkwork_referral.adapters import audit, idempotency, repository
from linkwork_referral.adapters.repository import ReferralRepository
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.ports import EarlierRequest, IdempotencyKey

# The service layer's `record_changes`: timeline entries and outbox events for what the aggregate did.
RecordChanges = Callable[[asyncpg.Connection, Referral, str | None, str | None], Awaitable[None]]


@dataclass(frozen=True)
class ChangeRows:
    """What `record_changes` writes, as rows: (at, entry) per timeline entry, and outbox rows."""

    timeline: list[tuple[datetime, Entry]]
    outbox: list[tuple[str, str, str, bytes, dict[str, str]]]


# The service layer's `change_rows`: ChangeRows for the referral's events, or None when they need more.
ChangeRowsOf = Callable[[Referral], ChangeRows | None]

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
    actor: str
    role: str


@dataclass(frozen=True)
class _Audit:
    principal: Principal
    entry: AuditRecord


class PostgresCreateSession:
    def __init__(
        self,
        connection: asyncpg.Connection,
        time_zone: ZoneInfo,
        person_ref: Callable[[Referral], str],
        record_changes: RecordChanges,
        change_rows: ChangeRowsOf,
    ) -> None:
        self._connection = connection
        self._repository = ReferralRepository(connection, time_zone)
        self._person_ref, self._record_changes, self._change_rows = person_ref, record_changes, change_rows
        self._held: list[_Add | _Audit] = []
        self._transaction: Transaction | None = None

    async def add(self, referral: Referral, actor: str, role: str) -> None:
        self._held.append(_Add(referral, actor, role))

    async def get(self, referral_id: UUID) -> Referral | None:
        await self._begin()
        return await self._repository.get(referral_id)

    async def claim_key(self, subject: str, key: IdempotencyKey, referral_id: UUID) -> bool:
        await self._begin()
        return await idempotency.claim(self._connection, subject, key.key, key.request_hash, referral_id)

    async def earlier_request(self, subject: str, key: str) -> EarlierRequest | None:
        await self._begin()
        return await idempotency.find(self._connection, subject, key)

    async def audit(self, principal: Principal, entry: AuditRecord) -> None:
        self._held.append(_Audit(principal, entry))

    async def _begin(self) -> None:
        """Begin the transaction (once) and send what is held, in order."""
        if self._transaction is None:
            self._transaction = self._connection.transaction()
            await self._transaction.start()
        held, self._held = self._held, []
        for write in held:
            if isinstance(write, _Add):
                await self._repository.add(write.referral, self._person_ref(write.referral))
                await self._record_changes(self._connection, write.referral, write.actor, write.role)
            else:
                await audit.record(self._connection, write.principal, write.entry)

    async def finish(self) -> None:
        if self._transaction is None and await self._in_one_statement():
            return
        await self._begin()
        assert self._transaction is not None
        await self._transaction.commit()

    async def abandon(self) -> None:
        self._held.clear()
        if self._transaction is not None:
            await self._transaction.rollback()

    async def _in_one_statement(self) -> bool:
        """A new referral and its audit record, nothing else: sent as one statement. False when not that."""
        if not (len(self._held) == 2 and isinstance(self._held[0], _Add) and isinstance(self._held[1], _Audit)):
            return False
        add, record = self._held
        assert isinstance(add, _Add) and isinstance(record, _Audit)
        rows = self._change_rows(add.referral)
        if rows is None:
            return False
        timeline, outbox = rows.timeline, sorted(rows.outbox, key=lambda row: (row[1], row[2]))  # as add_many
        principal = record.principal
        await self._connection.execute(
            _CREATE,
            *repository.insert_values(add.referral, self._person_ref(add.referral)),
            add.actor,
            add.role,
            [at for at, _ in timeline],
            [entry.kind for _, entry in timeline],
            [entry.summary for _, entry in timeline],
            [orjson.dumps(entry.detail).decode() for _, entry in timeline],
            [row[0] for row in outbox],
            [row[1] for row in outbox],
            [row[2] for row in outbox],
            [row[3] for row in outbox],
            [orjson.dumps(row[4]).decode() for row in outbox],
            *audit.values(principal.subject, principal.role.value, principal.pcn, record.entry),
        )
        self._held.clear()
        return True


class PostgresReferralUnitOfWork:
    def __init__(
        self,
        pool: asyncpg.Pool,
        time_zone: ZoneInfo,
        person_ref: Callable[[Referral], str],
        record_changes: RecordChanges,
        change_rows: ChangeRowsOf,
    ) -> None:
        self._pool, self._zone = pool, time_zone
        self._person_ref, self._record_changes, self._change_rows = person_ref, record_changes, change_rows

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresCreateSession]:
        async with self._pool.acquire() as connection:
            session = PostgresCreateSession(
                connection, self._zone, self._person_ref, self._record_changes, self._change_rows
            )
            try:
                yield session
            except BaseException:
                await session.abandon()
                raise
            await session.finish()

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        async with self._pool.acquire() as connection:
            await audit.record(connection, principal, entry)
