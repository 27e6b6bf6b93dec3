"""The referral-requested handler (handlers/referral_requested.py) against the in-memory unit of work: its use
case makes the referral, its timeline and its audit record through the port's session `joining` the consumer's
transaction, so they commit with the event's receipt or not at all; its refusal hook reads the refused record
into plain values and tells the sender in that transaction too. The use cases' rules: test_requests.py,
test_tell_sender.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import encode, wrap
from linkwork_contracts.events import Event, ReferralRequestRefusedV1
from linkwork_contracts.examples import REFERRAL_REQUESTED
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.events import DomainEvent
from linkwork_referral.domain.referral import Referral
from linkwork_referral.handlers.referral_requested import ReferralRequestedHandler, RefusalNotifier
from linkwork_referral.service_layer.errors import Unroutable
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.requests import referral_id_for
from referral_builders import T0
from referral_fakes import FakeReferralUnitOfWork

pytestmark = pytest.mark.unit

SENDER = "urn:test:gp-system"
PCN = "U12345"
ENVELOPE = wrap(REFERRAL_REQUESTED, source=SENDER)


class NoEvents:
    """The `EventMapping` port mapping nothing: what leaves the service is test_outgoing.py's."""

    def outgoing(self, referral: Referral, event: DomainEvent) -> list[Event]:
        return []


class OnePcn:
    """The `PracticeDirectory` port: every practice is in one PCN."""

    def pcn_for(self, practice_ods_code: str | None) -> str | None:
        return PCN


@pytest.fixture
def unit_of_work() -> FakeReferralUnitOfWork:
    return FakeReferralUnitOfWork()


@pytest.fixture
def handler(unit_of_work: FakeReferralUnitOfWork) -> ReferralRequestedHandler:
    service = ReferralService(unit_of_work, NoEvents(), "urn:test", clock=lambda: T0 + timedelta(days=1))
    return ReferralRequestedHandler(service, unit_of_work, OnePcn())


async def test_the_referral_commits_with_the_consumers_transaction(
    unit_of_work: FakeReferralUnitOfWork, handler: ReferralRequestedHandler
) -> None:
    referral_id = referral_id_for(REFERRAL_REQUESTED.request_id, SENDER)
    async with unit_of_work.transaction() as consumer:  # stands for the consumer's inbox transaction
        await handler(REFERRAL_REQUESTED, ENVELOPE, consumer)
        assert unit_of_work.stored.referrals == {}, "the handler committed on its own, not with the event's receipt"
    assert unit_of_work.stored.referrals[referral_id].pcn == PCN
    [created] = unit_of_work.stored.timeline
    assert (created.referral_id, created.entry.kind) == (referral_id, "referral-created")
    assert unit_of_work.stored.audit == [
        (SENDER, AuditRecord("create-from-event", referral_id=referral_id, referral_pcn=PCN, detail=ENVELOPE.id))
    ]


async def test_nothing_is_kept_when_the_consumers_transaction_rolls_back(
    unit_of_work: FakeReferralUnitOfWork, handler: ReferralRequestedHandler
) -> None:
    with pytest.raises(ConnectionError):
        async with unit_of_work.transaction() as consumer:
            await handler(REFERRAL_REQUESTED, ENVELOPE, consumer)
            raise ConnectionError("the inbox row was not written")
    assert (unit_of_work.stored.referrals, unit_of_work.stored.timeline, unit_of_work.stored.audit) == ({}, [], [])


def refused_record() -> ConsumerRecord[bytes, bytes]:
    value, key = encode(ENVELOPE), REFERRAL_REQUESTED.request_id.encode()
    return ConsumerRecord("referral-requested", 0, 7, 0, 0, key, value, None, len(key), len(value), [])


async def test_the_refusal_commits_with_the_consumers_transaction(unit_of_work: FakeReferralUnitOfWork) -> None:
    notify = RefusalNotifier(unit_of_work, "urn:test", clock=lambda: T0)
    async with unit_of_work.transaction() as consumer:  # stands for the consumer's inbox transaction
        await notify(refused_record(), Unroutable("no PCN"), consumer)
        assert unit_of_work.stored.emitted == [], "the hook committed on its own, not with the message's receipt"
    [(event, source, event_id)] = unit_of_work.stored.emitted
    assert isinstance(event, ReferralRequestRefusedV1) and event.request_id == REFERRAL_REQUESTED.request_id
    assert (event.request_event_id, event.source, source) == (ENVELOPE.id, SENDER, "urn:test")
    assert event_id is not None


async def test_no_refusal_is_kept_when_the_consumers_transaction_rolls_back(
    unit_of_work: FakeReferralUnitOfWork,
) -> None:
    notify = RefusalNotifier(unit_of_work, "urn:test", clock=lambda: T0)
    with pytest.raises(ConnectionError):
        async with unit_of_work.transaction() as consumer:
            await notify(refused_record(), Unroutable("no PCN"), consumer)
            raise ConnectionError("the inbox row was not written")
    assert unit_of_work.stored.emitted == []
