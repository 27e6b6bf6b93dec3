"""The in-memory fakes (tests/referral_fakes.py) keep what PostgreSQL keeps when two transactions overlap: each
one's writes to different rows, never a silent overwrite of a row the other changed, and a row one holds locked
is skipped by the other's claims. The use-case tests rely on it; the asyncpg adapters keep their own
integration tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from asyncpg.exceptions import SerializationError
from linkwork_referral.domain import events
from linkwork_referral.domain.activity_referral import ProviderService
from linkwork_referral.domain.referral import NewReferral, Referral
from linkwork_runtime.messaging.retry import is_transient
from referral_builders import CHOIR, T0
from referral_fakes import (
    FakeActivityReferrals,
    FakeFollowUps,
    FakeReferralSession,
    FakeReferralUnitOfWork,
    FollowUpRow,
    record_events,
)

pytestmark = pytest.mark.unit

LATER = T0 + timedelta(hours=1)
CHOIR_SERVICE = ProviderService(CHOIR, uuid4(), "Choir CIC", "Community choir", True, 1)


def _stored(new_referral: NewReferral, count: int) -> tuple[FakeReferralUnitOfWork, list[Referral]]:
    unit_of_work = FakeReferralUnitOfWork()
    referrals = [Referral.create(replace(new_referral, id=uuid4())) for _ in range(count)]
    for referral in referrals:
        referral.take_events()
        unit_of_work.stored.referrals[referral.id] = referral
    return unit_of_work, referrals


async def _change(
    session: FakeReferralSession, referral_id: UUID, step: Callable[[Referral], None], actor: str
) -> None:
    """What a use case does in its transaction: load the referral, change it, save it with its events."""
    referral = await session.get(referral_id)
    assert referral is not None
    step(referral)
    await session.save(referral)
    await record_events(session, referral, actor, "link_worker")


async def test_overlapping_transactions_on_different_referrals_both_keep_their_writes(
    new_referral: NewReferral,
) -> None:
    unit_of_work, (first, second) = _stored(new_referral, 2)
    async with unit_of_work.transaction() as outer:
        await _change(outer, first.id, lambda referral: referral.accept("lw-1", LATER), "lw-1")
        async with unit_of_work.transaction() as inner:  # begins and commits while the outer one is open
            await _change(inner, second.id, lambda referral: referral.accept("lw-2", LATER), "lw-2")
    stored = unit_of_work.stored
    assert (stored.referrals[first.id].link_worker, stored.referrals[second.id].link_worker) == ("lw-1", "lw-2")
    assert sorted(actor for _, _, actor in stored.outbox) == ["lw-1", "lw-2"]


async def test_a_second_writer_of_the_same_referral_fails_as_postgresql_s_serialization_failure(
    new_referral: NewReferral,
) -> None:
    unit_of_work, [referral] = _stored(new_referral, 1)
    with pytest.raises(SerializationError) as refused:
        async with unit_of_work.transaction() as outer:
            await _change(outer, referral.id, lambda mine: mine.reject("not for us", "lw-1", LATER), "lw-1")
            await (await outer.activity_referrals()).upsert_provider_service(CHOIR_SERVICE)
            async with unit_of_work.transaction() as inner:
                await _change(inner, referral.id, lambda theirs: theirs.accept("lw-2", LATER), "lw-2")
    assert is_transient(refused.value)  # a consumer retries it, as it would PostgreSQL's
    # The first to commit is kept whole; the refused one left nothing, its event included.
    assert unit_of_work.stored.referrals[referral.id].link_worker == "lw-2"
    assert [event for _, event, _ in unit_of_work.stored.outbox] == [events.ReferralAccepted(LATER, "lw-2")]
    assert unit_of_work.activities.stored.services == {}  # nor anything in the activity referrals it joined


async def test_a_request_another_transaction_committed_meanwhile_is_known_not_a_conflict(
    new_referral: NewReferral,
) -> None:
    # As the adapter's INSERT ... ON CONFLICT DO NOTHING: the later insert stores nothing and returns False, and
    # its transaction commits (the handler then records nothing), rather than failing as a changed row would.
    unit_of_work, requested = FakeReferralUnitOfWork(), replace(new_referral, request_id="gp-7")
    async with unit_of_work.transaction() as late:
        async with unit_of_work.transaction() as first:
            assert await first.add_requested(Referral.create(requested), "urn:test:gp-system")
        assert await late.request_known("urn:test:gp-system", "gp-7")
        assert not await late.add_requested(Referral.create(replace(requested, id=uuid4())), "urn:test:gp-system")
    assert list(unit_of_work.stored.referrals) == [requested.id]


async def test_overlapping_scheduler_rounds_each_keep_the_rows_they_claimed() -> None:
    follow_ups = FakeFollowUps(LATER)
    rows = [FollowUpRow(id=uuid4(), referral_id=uuid4(), sequence=1, due_at=T0) for _ in range(2)]
    for row in rows:
        follow_ups.add(row)
    async with follow_ups.transaction() as outer:
        [mine], _ = await outer.claim_due(1)
        async with follow_ups.transaction() as inner:
            [theirs], _ = await inner.claim_due(1)  # the outer round's row is locked: skipped
            await inner.mark_due([theirs["id"]])
        await outer.mark_due([mine["id"]])
    assert follow_ups.states() == {row.id: ("due", None) for row in rows}


async def test_a_row_a_provider_is_answering_is_skipped_by_an_overlapping_deadline_round() -> None:
    activities = FakeActivityReferrals()
    organisation = CHOIR_SERVICE.organization_id
    async with activities.transaction() as session:
        row = await session.add_activity_referral(
            referral_id=uuid4(), service_id=CHOIR, organization_id=organisation, respond_by=T0
        )
    assert row is not None
    async with activities.transaction() as provider:
        assert await provider.one_of_organisation(organisation, row["id"], lock=True) is not None
        async with activities.transaction() as deadlines:  # SELECT ... FOR UPDATE SKIP LOCKED passes it by
            assert await deadlines.claim_expired(LATER, 10) == []
