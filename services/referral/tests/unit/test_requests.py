"""Making a referral from an existing system's request (service_layer/requests.py) against the in-memory unit
of work: once per request id of each sending system, and refused when no PCN serves the practice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from linkwork_contracts.events import Event
from linkwork_contracts.examples import REFERRAL_REQUESTED
from linkwork_referral.domain.events import DomainEvent
from linkwork_referral.domain.referral import Referral
from linkwork_referral.service_layer.errors import Unroutable
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.requests import CreateFromRequest
from referral_builders import T0
from referral_fakes import FakeReferralUnitOfWork

pytestmark = pytest.mark.unit

SENDER = "urn:test:gp-system"
PCN = "U12345"


class NoEvents:
    """The `EventMapping` port mapping nothing: what leaves the service is test_outgoing.py's."""

    def outgoing(self, referral: Referral, event: DomainEvent) -> list[Event]:
        return []


class Pcns:
    """The `PracticeDirectory` port: every practice in `pcn`, or in none."""

    def __init__(self, pcn: str | None) -> None:
        self.pcn = pcn

    def pcn_for(self, practice_ods_code: str | None) -> str | None:
        return self.pcn


def create(unit_of_work: FakeReferralUnitOfWork, pcn: str | None = PCN) -> CreateFromRequest:
    service = ReferralService(unit_of_work, NoEvents(), "urn:test", clock=lambda: T0 + timedelta(days=1))
    return CreateFromRequest(service, Pcns(pcn))


async def test_a_redelivered_request_makes_nothing_twice() -> None:
    unit_of_work = FakeReferralUnitOfWork()
    for _ in range(2):
        async with unit_of_work.transaction() as session:
            await create(unit_of_work)(REFERRAL_REQUESTED, SENDER, "event-1", session)
    assert len(unit_of_work.stored.referrals) == len(unit_of_work.stored.audit) == 1


async def test_a_request_from_a_practice_no_pcn_serves_is_refused_and_makes_nothing() -> None:
    unit_of_work = FakeReferralUnitOfWork()
    with pytest.raises(Unroutable):
        async with unit_of_work.transaction() as session:
            await create(unit_of_work, pcn=None)(REFERRAL_REQUESTED, SENDER, "event-1", session)
    assert (unit_of_work.stored.referrals, unit_of_work.stored.audit) == ({}, [])
