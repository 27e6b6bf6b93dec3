"""service-changed: keep who runs each directory service and whether it takes referrals."""

from __future__ import annotations

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ServiceChangedV1, ServiceChangedV2

from linkwork_referral.service_layer.activity_referrals import keep_provider_service
from linkwork_referral.service_layer.ports import ConsumerTransaction, ReferralUnitOfWork


class ServiceChangedHandler:
    def __init__(self, referrals: ReferralUnitOfWork) -> None:
        self._referrals = referrals

    async def __call__(
        self, event: ServiceChangedV1 | ServiceChangedV2, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        # Within the consumer's inbox transaction, so the service is kept with the event's receipt.
        session = self._referrals.joining(transaction)
        await keep_provider_service(event, await session.activity_referrals())
