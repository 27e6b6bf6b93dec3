"""The directory's event handlers write through a unit of work `joining` the consumer's transaction, so what
they change is gone when that transaction rolls back (the inbox row not written, the commit refused): the event
is then delivered again and applied once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_contracts.envelope import wrap
from linkwork_contracts.examples import ACTIVITY_REFERRAL_RESPONDED, SERVICE_ID
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.domain.oruk import Service
from linkwork_directory.handlers.activity_referrals import ActivityReferralHandlers
from linkwork_directory.service_layer import waiting_list
from linkwork_directory.service_layer.changes import apply_service
from linkwork_directory.service_layer.ports import Acting

from ..directory_fakes import FakeSink, FakeUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
RESPONDED = wrap(ACTIVITY_REFERRAL_RESPONDED, source="urn:test:referral")


async def test_a_handlers_writes_are_gone_when_the_consumers_transaction_rolls_back() -> None:
    uow = FakeUnitOfWork()
    walk = Service.model_validate({"id": str(SERVICE_ID), "name": "Walking group", "status": "active"})
    await apply_service(uow, walk, Acting(NOW, FakeSink()))
    await waiting_list.set_capacity(uow, SERVICE_ID, Acting(NOW, FakeSink()), places_per_week=5, waiting_list=True)
    handlers = ActivityReferralHandlers(uow.factory(), FakeSink(), SettableClock(NOW))
    entry = ACTIVITY_REFERRAL_RESPONDED.activity_referral_id

    with pytest.raises(ConnectionError):
        async with uow.consumer_transaction() as consumer:
            await handlers.responded(ACTIVITY_REFERRAL_RESPONDED, RESPONDED, consumer)
            assert await uow.waiting.entry(entry) is not None, "the handler did not join the waiting list"
            raise ConnectionError("the inbox row was not written")
    assert await uow.waiting.entry(entry) is None

    async with uow.consumer_transaction() as consumer:  # delivered again: now it commits
        await handlers.responded(ACTIVITY_REFERRAL_RESPONDED, RESPONDED, consumer)
    assert await uow.waiting.entry(entry) is not None
