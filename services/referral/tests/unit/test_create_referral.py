"""Making a referral (service_layer/create.py) against the in-memory unit of work: replays, refusals, events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_referral.adapters.samples import gp_referral
from linkwork_referral.domain import access, events
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.referral import NewReferral, Referral
from linkwork_referral.service_layer.create import CreateReferral
from linkwork_referral.service_layer.errors import IdempotencyKeyReused
from linkwork_referral.service_layer.ports import IdempotencyKey
from linkwork_runtime.principal import Principal, Role
from referral_fakes import FakeReferralUnitOfWork, record_events

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REFERRER = Principal("dr-who", Role.REFERRER, "U12345")
KEY = IdempotencyKey("key-1", "hash-of-body-1")


def _build(person: Person) -> Callable[[datetime], NewReferral]:
    return lambda now: gp_referral(person, (NeedCategory.LONELINESS_ISOLATION,), now)


@pytest.fixture
def unit_of_work() -> FakeReferralUnitOfWork:
    return FakeReferralUnitOfWork()


@pytest.fixture
def create(unit_of_work: FakeReferralUnitOfWork) -> CreateReferral:
    return CreateReferral(unit_of_work, lambda: T0, record_events)


async def test_a_new_referral_is_stored_with_its_event_and_audited(
    create: CreateReferral, unit_of_work: FakeReferralUnitOfWork, new_referral: NewReferral
) -> None:
    referral, replayed = await create(REFERRER, _build(new_referral.person), None)

    assert not replayed
    assert unit_of_work.stored.referrals == {referral.id: referral}
    assert unit_of_work.stored.outbox == [(referral.id, events.ReferralCreated(T0), "dr-who")]
    assert unit_of_work.actions() == [("create", "allowed")]


async def test_the_same_key_and_body_replays_the_first_referral(
    create: CreateReferral, unit_of_work: FakeReferralUnitOfWork, new_referral: NewReferral
) -> None:
    first, _ = await create(REFERRER, _build(new_referral.person), KEY)
    again, replayed = await create(REFERRER, _build(new_referral.person), KEY)

    assert replayed and again.id == first.id
    assert list(unit_of_work.stored.referrals) == [first.id]
    assert len(unit_of_work.stored.outbox) == 1  # the replay adds no second ReferralCreated
    assert unit_of_work.actions() == [("create", "allowed"), ("create-replayed", "allowed")]


async def test_the_same_key_with_another_body_is_refused(
    create: CreateReferral, unit_of_work: FakeReferralUnitOfWork, new_referral: NewReferral
) -> None:
    await create(REFERRER, _build(new_referral.person), KEY)

    with pytest.raises(IdempotencyKeyReused):
        await create(REFERRER, _build(new_referral.person), IdempotencyKey(KEY.key, "hash-of-another-body"))
    assert len(unit_of_work.stored.referrals) == 1


async def test_a_key_is_per_subject(create: CreateReferral, new_referral: NewReferral) -> None:
    first, _ = await create(REFERRER, _build(new_referral.person), KEY)
    other, replayed = await create(Principal("nurse", Role.LINK_WORKER, "U12345"), _build(new_referral.person), KEY)

    assert not replayed and other.id != first.id


async def test_a_rival_request_committing_the_key_first_wins_and_ours_leaves_nothing(
    create: CreateReferral, unit_of_work: FakeReferralUnitOfWork, new_referral: NewReferral
) -> None:
    rival = Referral.create(gp_referral(new_referral.person, (NeedCategory.HOUSING,), T0))
    unit_of_work.rival = (REFERRER.subject, KEY, rival)

    answer, replayed = await create(REFERRER, _build(new_referral.person), KEY)

    assert replayed and answer.id == rival.id
    assert list(unit_of_work.stored.referrals) == [rival.id]  # ours was rolled back with its event and audit
    assert unit_of_work.stored.outbox == []
    assert unit_of_work.actions() == [("create-replayed", "allowed")]


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PCN_ADMIN, Role.CURATOR, Role.PROVIDER])
async def test_a_role_that_may_not_refer_is_refused_on_record(
    create: CreateReferral, unit_of_work: FakeReferralUnitOfWork, new_referral: NewReferral, role: Role
) -> None:
    with pytest.raises(access.Denied):
        await create(Principal("someone", role, "U12345"), _build(new_referral.person), KEY)

    assert unit_of_work.stored.referrals == {} and unit_of_work.stored.outbox == [] and unit_of_work.stored.keys == {}
    assert unit_of_work.actions() == [("create", "denied")]
