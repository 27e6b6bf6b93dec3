"""service-changed: keep who runs each directory service and whether it takes referrals."""

from __future__ import annotations

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ServiceChangedV1, ServiceChangedV2

from linkwork_referral.adapters.activity_referral_store import PostgresActivityReferralSession
from linkwork_referral.service_layer.activity_referrals import keep_provider_service


async def on_service_changed(
    event: ServiceChangedV1 | ServiceChangedV2, envelope: CloudEvent, connection: asyncpg.Connection
) -> None:
    # Within the consumer's inbox transaction, so the service is kept with the event's receipt.
    await keep_provider_service(event, PostgresActivityReferralSession(connection))
