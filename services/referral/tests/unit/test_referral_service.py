"""The referral's use cases (service_layer/referrals.py) against the in-memory unit of work: an action is saved
with its timeline, events and audit record in one transaction; a refusal changes nothing and is on record;
an id out of scope is answered like one that does not exist; a plan refers its activities and an ended
referral withdraws those unanswered. The asyncpg adapter keeps its integration tests (integration/)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
from linkwork_contracts.events import Event
from linkwork_referral.domain import access, events
from linkwork_referral.domain.actions import Action
from linkwork_referral.domain.activity_referral import ProviderService
from linkwork_referral.domain.referral import Referral
from linkwork_referral.service_layer.errors import NotFound
from linkwork_referral.service_layer.ports import ReferralSession
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_runtime.principal import Principal, Role
from referral_builders import CHOIR, T0, agree, to_assessed
from referral_fakes import FakeReferralUnitOfWork

pytestmark = pytest.mark.unit

WORKER = Principal("lw-1", Role.LINK_WORKER, "U12345")
NOW = T0 + timedelta(days=5)


class RecordingMapper:
    """The `EventMapping` port: which domain events were mapped (what they map to is test_outgoing.py's)."""

    def __init__(self) -> None:
        self.mapped: list[type[events.DomainEvent]] = []

    def outgoing(self, referral: Referral, event: events.DomainEvent) -> list[Event]:
        self.mapped.append(type(event))
        return []


def _service(referral: Referral) -> tuple[ReferralService, FakeReferralUnitOfWork, RecordingMapper]:
    unit_of_work, mapper = FakeReferralUnitOfWork(), RecordingMapper()
    unit_of_work.stored.referrals[referral.id] = referral
    return ReferralService(unit_of_work, mapper, "urn:test", clock=lambda: NOW), unit_of_work, mapper


def _apply(step: str, *arguments: object) -> object:
    async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
        getattr(referral, step)(*arguments, now)

    return change


async def test_an_action_is_saved_timelined_mapped_and_audited(referral: Referral) -> None:
    service, unit_of_work, mapper = _service(referral)
    accepted = await service.act(WORKER, referral.id, Action.ACCEPT, _apply("accept", "lw-1"))
    assert unit_of_work.stored.referrals[referral.id].link_worker == accepted.link_worker == "lw-1"
    [row] = unit_of_work.stored.timeline
    assert (row.entry.kind, row.actor, row.actor_role) == ("accepted", "lw-1", "link_worker")
    assert mapper.mapped == [events.ReferralAccepted]
    assert unit_of_work.actions() == [("accept", "allowed")]


async def test_a_refused_action_changes_nothing_and_is_on_record(referral: Referral) -> None:
    service, unit_of_work, _ = _service(referral)
    admin = Principal("admin-1", Role.PCN_ADMIN, "U12345")
    with pytest.raises(access.Denied):
        await service.act(admin, referral.id, Action.HOLD, _apply("put_on_hold", "away", "admin-1"))
    assert unit_of_work.stored.referrals[referral.id].state == referral.state
    assert unit_of_work.stored.timeline == []
    [(subject, record)] = unit_of_work.stored.audit
    assert (subject, record.action, record.outcome, record.referral_pcn) == ("admin-1", "hold", "denied", "U12345")


async def test_another_pcn_s_referral_is_answered_like_one_that_does_not_exist(referral: Referral) -> None:
    service, unit_of_work, _ = _service(referral)
    with pytest.raises(NotFound):
        await service.read(Principal("lw-9", Role.LINK_WORKER, "U99999"), referral.id)
    with pytest.raises(NotFound):
        await service.read(WORKER, uuid4())
    assert unit_of_work.actions() == [("read", "denied"), ("read", "not-found")]


async def test_a_plan_refers_its_activities_and_an_ended_referral_withdraws_them(referral: Referral) -> None:
    service, unit_of_work, _ = _service(to_assessed(referral))
    referral.take_events()
    choir = ProviderService(CHOIR, UUID(int=10), "Choir CIC", "Community choir", True, 1)
    unit_of_work.activities.stored.services[CHOIR] = choir

    async def plan(referral: Referral, now: datetime, _: ReferralSession) -> None:
        agree(referral, now=now)

    await service.act(WORKER, referral.id, Action.AGREE_PLAN, plan)
    [row] = unit_of_work.activities.stored.rows.values()
    assert (row["service_id"], row["state"]) == (CHOIR, "awaiting-response")

    await service.act(WORKER, referral.id, Action.ENTER_IN_ERROR, _apply("mark_entered_in_error", "duplicate", "lw-1"))
    assert unit_of_work.activities.stored.rows[row["id"]]["state"] == "withdrawn"
    assert unit_of_work.activities.kinds() == ["activity-referred", "activity-referral-withdrawn"]
