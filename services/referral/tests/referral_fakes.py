"""In-memory stand-ins for the referral service's ports (service_layer/ports.py), for use-case tests in
milliseconds. The asyncpg adapter (adapters/unit_of_work.py) keeps its integration tests against PostgreSQL;
this fake only has to keep the port's promises, above all: nothing of a transaction is kept unless all is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from uuid import UUID

from linkwork_referral.adapters.audit import AuditRecord
from linkwork_referral.domain.events import DomainEvent
from linkwork_referral.domain.referral import Referral
from linkwork_referral.service_layer.ports import EarlierRequest, IdempotencyKey
from linkwork_runtime.principal import Principal


@dataclass
class Stored:
    """What the fake database holds; a transaction works on a copy that replaces it only on commit."""

    referrals: dict[UUID, Referral] = field(default_factory=dict)
    keys: dict[tuple[str, str], EarlierRequest] = field(default_factory=dict)
    outbox: list[tuple[UUID, DomainEvent, str]] = field(default_factory=list)  # (referral, event, actor)
    audit: list[tuple[str, AuditRecord]] = field(default_factory=list)  # (subject, entry)

    def copy(self) -> Stored:
        return Stored(dict(self.referrals), dict(self.keys), list(self.outbox), list(self.audit))


class FakeCreateSession:
    def __init__(self, unit_of_work: FakeReferralUnitOfWork) -> None:
        self._unit_of_work = unit_of_work
        self.stored = unit_of_work.stored.copy()

    async def add(self, referral: Referral, actor: str, role: str) -> None:
        self.stored.referrals[referral.id] = referral
        self.stored.outbox.extend((referral.id, event, actor) for event in referral.take_events())

    async def get(self, referral_id: UUID) -> Referral | None:
        return self.stored.referrals.get(referral_id)

    async def claim_key(self, subject: str, key: IdempotencyKey, referral_id: UUID) -> bool:
        self._unit_of_work.rival_commits()
        # A unique key: one committed meanwhile by another transaction counts too.
        if (subject, key.key) in self.stored.keys | self._unit_of_work.stored.keys:
            return False
        self.stored.keys[subject, key.key] = EarlierRequest(key.request_hash, referral_id)
        return True

    async def earlier_request(self, subject: str, key: str) -> EarlierRequest | None:
        return self.stored.keys.get((subject, key))

    async def audit(self, principal: Principal, entry: AuditRecord) -> None:
        self.stored.audit.append((principal.subject, entry))


class FakeReferralUnitOfWork:
    def __init__(self) -> None:
        self.stored = Stored()
        # A concurrent request with the same key, committed while ours is inside its transaction.
        self.rival: tuple[str, IdempotencyKey, Referral] | None = None

    def rival_commits(self) -> None:
        if self.rival is not None:
            subject, key, referral = self.rival
            self.stored.referrals[referral.id] = referral
            self.stored.keys[subject, key.key] = EarlierRequest(key.request_hash, referral.id)
            self.rival = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeCreateSession]:
        session = FakeCreateSession(self)
        yield session
        # Reached only when the block did not raise: the commit. Keys the rival committed stay.
        session.stored.keys |= self.stored.keys
        session.stored.referrals = self.stored.referrals | session.stored.referrals
        self.stored = session.stored

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        self.stored.audit.append((principal.subject, entry))

    def actions(self) -> list[tuple[str, str]]:
        return [(entry.action, entry.outcome) for _, entry in self.stored.audit]
