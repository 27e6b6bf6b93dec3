"""referral-requested: existing systems send referrals in; the handler is the consumer's entry point to the
use case making one referral per request id (service_layer/requests.py).

A request that fails its schema never reaches this handler (the runner dead-letters it); one the
workflow refuses (no PCN for its practice, an implausible date) raises a `RequestRefused`, a
permanent error: the runner dead-letters it at once, without retries. Either way `RefusalNotifier`
tells the sender on `referral-request-refused` (by its request id, without person data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ReferralRequestedV1

from linkwork_referral.service_layer.ports import ConsumerTransaction, ReferralUnitOfWork
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.refusals import RefusedMessage, TellSender
from linkwork_referral.service_layer.requests import CreateFromRequest
from linkwork_referral.service_layer.routing import PracticeDirectory


class ReferralRequestedHandler:
    def __init__(self, service: ReferralService, referrals: ReferralUnitOfWork, practices: PracticeDirectory) -> None:
        self._referrals = referrals
        self._create = CreateFromRequest(service, practices)

    async def __call__(
        self, event: ReferralRequestedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        # Within the consumer's inbox transaction, so the referral commits with the event's receipt.
        await self._create(event, str(envelope.source), envelope.id, self._referrals.joining(transaction))


class RefusedRecord(Protocol):
    """The parts of a consumed Kafka record (aiokafka's `ConsumerRecord`) a refusal is made from."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


class RefusalNotifier:
    """The refusal hook of the referral-requested consumer (the runtime's `RefusalHook`): tells the sender on
    `referral-request-refused` (service_layer/refusals.py) through a session joining the transaction the hook
    is given (a savepoint of the consumer's), so a refusal is kept only when the consumer's batch commits."""

    def __init__(self, referrals: ReferralUnitOfWork, source: str, clock: Callable[[], datetime]) -> None:
        self._referrals = referrals
        self._tell_sender = TellSender(source, clock)

    async def __call__(self, record: RefusedRecord, error: BaseException, transaction: ConsumerTransaction) -> None:
        message = RefusedMessage(
            record.topic, record.partition, record.offset, record.key, record.value, dict(record.headers or ())
        )
        await self._tell_sender(message, error, self._referrals.joining(transaction))
