"""The `ReferralUnitOfWork` port (service_layer/ports.py) over asyncpg: one pooled connection and transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from linkwork_runtime.principal import Principal

from linkwork_referral.adapters import audit, idempotency
from linkwork_referral.adapters.audit import AuditRecord
from linkwork_referral.adapters.repository import ReferralRepository
from linkwork_referral.domain.referral import Referral
from linkwork_referral.service_layer.ports import EarlierRequest, IdempotencyKey

# The service layer's `record_changes`: timeline entries and outbox events for what the aggregate did.
RecordChanges = Callable[[asyncpg.Connection, Referral, str | None, str | None], Awaitable[None]]


class PostgresCreateSession:
    def __init__(
        self,
        connection: asyncpg.Connection,
        time_zone: ZoneInfo,
        person_ref: Callable[[Referral], str],
        record_changes: RecordChanges,
    ) -> None:
        self._connection = connection
        self._repository = ReferralRepository(connection, time_zone)
        self._person_ref, self._record_changes = person_ref, record_changes

    async def add(self, referral: Referral, actor: str, role: str) -> None:
        await self._repository.add(referral, self._person_ref(referral))
        await self._record_changes(self._connection, referral, actor, role)

    async def get(self, referral_id: UUID) -> Referral | None:
        return await self._repository.get(referral_id)

    async def claim_key(self, subject: str, key: IdempotencyKey, referral_id: UUID) -> bool:
        return await idempotency.claim(self._connection, subject, key.key, key.request_hash, referral_id)

    async def earlier_request(self, subject: str, key: str) -> EarlierRequest | None:
        return await idempotency.find(self._connection, subject, key)

    async def audit(self, principal: Principal, entry: AuditRecord) -> None:
        await audit.record(self._connection, principal, entry)


class PostgresReferralUnitOfWork:
    def __init__(
        self,
        pool: asyncpg.Pool,
        time_zone: ZoneInfo,
        person_ref: Callable[[Referral], str],
        record_changes: RecordChanges,
    ) -> None:
        self._pool, self._zone = pool, time_zone
        self._person_ref, self._record_changes = person_ref, record_changes

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresCreateSession]:
        async with self._pool.acquire() as connection, connection.transaction():
            yield PostgresCreateSession(connection, self._zone, self._person_ref, self._record_changes)

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        async with self._pool.acquire() as connection:
            await audit.record(connection, principal, entry)
