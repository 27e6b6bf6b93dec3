"""Ports of the referral service's use cases, owned by the service layer.

The first is the unit of work of making a referral (`create.CreateReferral`): one transaction that stores the
referral with its timeline and outbox events, claims the Idempotency-Key and writes the audit record. A
`Protocol`, so the rules (replay, refusal on record, all or nothing) are unit-tested against the in-memory fake
in services/referral/tests/referral_fakes.py; the asyncpg adapter (adapters/unit_of_work.py) keeps its
integration tests against PostgreSQL.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from linkwork_runtime.principal import Principal

from linkwork_referral.adapters.audit import AuditRecord
from linkwork_referral.domain.referral import Referral


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    request_hash: str


@dataclass(frozen=True)
class EarlierRequest:
    """The request that first used an Idempotency-Key: its body's hash and the referral it made."""

    request_hash: str
    referral_id: UUID


class CreateSession(Protocol):
    """What one transaction of making a referral may do; nothing of it is kept unless all of it is."""

    async def add(self, referral: Referral, actor: str, role: str) -> None:
        """Store a new referral, and its domain events as timeline entries and outbox events."""
        ...

    async def get(self, referral_id: UUID) -> Referral | None: ...

    async def claim_key(self, subject: str, key: IdempotencyKey, referral_id: UUID) -> bool:
        """Claim the key for this referral; False when another request with it committed first."""
        ...

    async def earlier_request(self, subject: str, key: str) -> EarlierRequest | None: ...

    async def audit(self, principal: Principal, entry: AuditRecord) -> None: ...


class ReferralUnitOfWork(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[CreateSession]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        ...

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        """An audit record in its own transaction, e.g. a refusal, kept although nothing else is."""
        ...
