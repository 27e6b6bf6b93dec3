"""Making a referral: the role is checked (a refusal is on record), an Idempotency-Key replays the earlier
request's referral, and otherwise the referral, its events, the key and the audit record are stored in one
transaction of the `ReferralUnitOfWork` port."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from linkwork_runtime.principal import Principal

from linkwork_referral.domain import access
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.referral import NewReferral, Referral
from linkwork_referral.service_layer.errors import IdempotencyKeyReused
from linkwork_referral.service_layer.ports import IdempotencyKey, ReferralSession, ReferralUnitOfWork

# The service's `record_changes`: the timeline entries and outbox events of what the referral did.
RecordChanges = Callable[[ReferralSession, Referral, str | None, str | None], Awaitable[None]]


class _Replay(Exception):
    """Another request with the same key committed first: roll ours back and answer with theirs."""


@dataclass(frozen=True)
class CreateReferral:
    unit_of_work: ReferralUnitOfWork
    clock: Callable[[], datetime]
    record_changes: RecordChanges

    async def __call__(
        self, principal: Principal, build: Callable[[datetime], NewReferral], idempotency: IdempotencyKey | None
    ) -> tuple[Referral, bool]:
        """Make a referral; returns it and whether it is the replay of an earlier request."""
        try:
            access.check_create(principal)
        except access.Denied as denied:
            await self.unit_of_work.audit_alone(principal, AuditRecord("create", outcome="denied", detail=str(denied)))
            raise
        if idempotency is not None and (earlier := await self._replay(principal, idempotency)):
            return earlier, True
        referral = Referral.create(build(self.clock()))
        try:
            async with self.unit_of_work.transaction() as session:
                await session.add(referral)
                await self.record_changes(session, referral, principal.subject, principal.role.value)
                if idempotency is not None and not await session.claim_key(principal.subject, idempotency, referral.id):
                    raise _Replay
                await session.audit(
                    principal, AuditRecord("create", referral_id=referral.id, referral_pcn=referral.pcn)
                )
        except _Replay:
            assert idempotency is not None
            earlier = await self._replay(principal, idempotency)
            assert earlier is not None
            return earlier, True
        return referral, False

    async def _replay(self, principal: Principal, idempotency: IdempotencyKey) -> Referral | None:
        async with self.unit_of_work.transaction() as session:
            earlier = await session.earlier_request(principal.subject, idempotency.key)
            if earlier is None:
                return None
            if earlier.request_hash != idempotency.request_hash:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was already used for a different request; use a new key for a new referral"
                )
            referral = await session.get(earlier.referral_id)
            assert referral is not None
            await session.audit(
                principal, AuditRecord("create-replayed", referral_id=referral.id, referral_pcn=referral.pcn)
            )
            return referral
