"""Activity referrals' use cases (service_layer/activity_referrals.py) against the in-memory unit of work: a plan
refers its activities to providers, a provider accepts or declines and confirms attendance, the response deadline
reminds and then declines, and an ended referral withdraws what is unanswered. What a link worker and a provider
rely on, in milliseconds; the asyncpg adapter keeps its integration tests (integration/test_provider_loop.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import pytest
from linkwork_contracts.codes import (
    ActivityReferralDecision,
    DeclineReason,
    SessionAttendance,
)
from linkwork_contracts.events import ActivityReferralRespondedV1, ActivityReferredV1, AttendanceConfirmedV1
from linkwork_referral.domain import access
from linkwork_referral.domain.activity_referral import ProviderService, StepNotAllowed
from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.referral import Referral
from linkwork_referral.service_layer.activity_referrals import (
    ProviderDesk,
    ResponseDeadlines,
    ResponsePolicy,
    refer_plan,
    withdraw_unanswered,
)
from linkwork_referral.service_layer.errors import NotFound
from linkwork_runtime.principal import Principal, Role
from referral_builders import CHOIR, T0, WALKS, agree, to_assessed
from referral_fakes import FakeActivityReferrals

pytestmark = pytest.mark.unit

CHOIR_ORG, WALKS_ORG = UUID("00000000-0000-4000-8000-00000000000a"), UUID("00000000-0000-4000-8000-00000000000b")
PROVIDER = Principal("choir-lead", Role.PROVIDER, "U12345", organisation=str(CHOIR_ORG))
REFERRED_AT = T0 + timedelta(days=4)


class Clock:
    def __init__(self) -> None:
        self.now = REFERRED_AT

    def __call__(self) -> datetime:
        return self.now


async def _referred(referral: Referral, *, walks_take_referrals: bool = False) -> tuple[FakeActivityReferrals, UUID]:
    """The choir takes referrals; the walks only when asked. The referral's plan is agreed and referred."""
    fake = FakeActivityReferrals()
    agree(to_assessed(referral))
    assert referral.plan is not None
    async with fake.transaction() as session:
        await session.upsert_provider_service(
            ProviderService(CHOIR, CHOIR_ORG, "Choir CIC", "Community choir", True, 1)
        )
        walks = ProviderService(WALKS, WALKS_ORG, "Walks", "Health walks", walks_take_referrals, 1)
        await session.upsert_provider_service(walks)
        made = await refer_plan(session, referral, referral.plan, REFERRED_AT, ResponsePolicy(), "urn:test", "lw-1")
    return fake, made[0]


def _desk(fake: FakeActivityReferrals, clock: Clock | None = None) -> ProviderDesk:
    return ProviderDesk(fake, "urn:test", clock or Clock())


async def test_a_plan_refers_only_activities_whose_provider_takes_referrals_and_only_once(referral: Referral) -> None:
    fake, made = await _referred(referral)
    [row] = fake.stored.rows.values()
    assert (row["id"], row["service_id"], row["state"]) == (made, CHOIR, "awaiting-response")
    assert row["respond_by"] == REFERRED_AT + timedelta(days=14)
    [(event, _)] = fake.stored.outbox
    assert isinstance(event, ActivityReferredV1) and event.organization_id == CHOIR_ORG
    assert fake.stored.emails == [(made, "new-referral")]
    assert fake.kinds() == ["activity-referred"]
    assert referral.plan is not None
    async with fake.transaction() as session:  # a revised plan refers only activities new to it
        assert await refer_plan(session, referral, referral.plan, REFERRED_AT, ResponsePolicy(), "urn:test", None) == []


async def test_a_provider_sees_its_own_referrals_and_accepts_one(referral: Referral) -> None:
    fake, made = await _referred(referral, walks_take_referrals=True)
    desk = _desk(fake)
    [listed] = await desk.incoming(PROVIDER, None)
    assert listed["id"] == made
    accepted = await desk.respond(PROVIDER, made, ActivityReferralDecision.ACCEPTED, None, date(2026, 3, 20))
    assert (accepted["state"], accepted["starts_on"], accepted["revision"]) == ("accepted", date(2026, 3, 20), 1)
    event = fake.stored.outbox[-1][0]
    assert isinstance(event, ActivityReferralRespondedV1) and event.decision is ActivityReferralDecision.ACCEPTED
    assert fake.kinds()[-1] == "provider-accepted" and fake.stored.timeline[-1].actor == "choir-lead"
    assert fake.actions() == [("provider-list", "allowed"), ("provider-accept", "allowed")]


async def test_another_organisation_or_role_finds_nothing(referral: Referral) -> None:
    fake, made = await _referred(referral)
    stranger = Principal("walk-lead", Role.PROVIDER, "U12345", organisation=str(WALKS_ORG))
    with pytest.raises(NotFound):  # the same answer as for an id that does not exist
        await _desk(fake).respond(stranger, made, ActivityReferralDecision.ACCEPTED, None, None)
    with pytest.raises(access.Denied):
        await _desk(fake).incoming(Principal("lw-1", Role.LINK_WORKER, "U12345"), None)
    assert fake.stored.rows[made]["state"] == "awaiting-response"


async def test_a_decline_needs_a_reason_and_ends_the_provider_steps(referral: Referral) -> None:
    fake, made = await _referred(referral)
    desk = _desk(fake)
    with pytest.raises(DomainError):
        await desk.respond(PROVIDER, made, ActivityReferralDecision.DECLINED, None, None)
    declined = await desk.respond(PROVIDER, made, ActivityReferralDecision.DECLINED, DeclineReason.NO_CAPACITY, None)
    assert (declined["state"], declined["decline_reason"]) == ("declined", "no-capacity")
    assert fake.stored.timeline[-1].entry.summary == "Community choir declined the referral: no capacity"
    events = len(fake.stored.outbox)
    with pytest.raises(StepNotAllowed):
        await desk.respond(PROVIDER, made, ActivityReferralDecision.ACCEPTED, None, None)
    assert len(fake.stored.outbox) == events  # a refused step keeps nothing


async def test_attendance_is_counted_and_completion_reports_it(referral: Referral) -> None:
    fake, made = await _referred(referral)
    clock = Clock()
    desk = _desk(fake, clock)
    await desk.respond(PROVIDER, made, ActivityReferralDecision.ACCEPTED, None, date(2026, 3, 9))
    clock.now = REFERRED_AT + timedelta(days=21)
    for day, attendance in ((9, SessionAttendance.ATTENDED), (16, SessionAttendance.DID_NOT_ATTEND)):
        await desk.confirm_attendance(PROVIDER, made, date(2026, 3, day), attendance)
    corrected = await desk.confirm_attendance(PROVIDER, made, date(2026, 3, 16), SessionAttendance.ATTENDED)
    assert corrected["sessions_attended"] == 2
    with pytest.raises(DomainError):  # before the start date
        await desk.confirm_attendance(PROVIDER, made, date(2026, 3, 2), SessionAttendance.ATTENDED)
    completed = await desk.complete(PROVIDER, made)
    assert completed["state"] == "completed"
    event = fake.stored.outbox[-1][0]
    assert isinstance(event, AttendanceConfirmedV1) and (event.completed, event.sessions_attended) == (True, 2)
    _, sessions = await desk.one(PROVIDER, made)
    assert [s["attendance"] for s in sessions] == ["attended", "attended"]


async def test_the_deadline_reminds_once_then_declines_for_want_of_an_answer(referral: Referral) -> None:
    fake, made = await _referred(referral)
    clock = Clock()
    deadlines = ResponseDeadlines(fake, source="urn:test", clock=clock)
    assert await deadlines.run_once() == (0, 0)
    clock.now = REFERRED_AT + timedelta(days=7)
    assert await deadlines.run_once() == (1, 0)
    assert await deadlines.run_once() == (0, 0)  # reminded once only
    clock.now = REFERRED_AT + timedelta(days=14)
    assert await deadlines.run_once() == (0, 1)
    assert await deadlines.run_once() == (0, 0)
    row = fake.stored.rows[made]
    assert (row["state"], row["decline_reason"]) == ("declined", DeclineReason.NO_RESPONSE.value)
    event = fake.stored.outbox[-1][0]
    assert isinstance(event, ActivityReferralRespondedV1) and event.decline_reason is DeclineReason.NO_RESPONSE
    assert fake.stored.emails == [(made, "new-referral"), (made, "reminder"), (made, "declined-no-response")]
    assert fake.kinds() == ["activity-referred", "provider-reminded", "provider-declined"]
    assert {row.actor_role for row in fake.stored.timeline[1:]} == {"scheduler"}


async def test_an_answered_referral_is_left_alone_by_the_deadline(referral: Referral) -> None:
    fake, made = await _referred(referral)
    await _desk(fake).respond(PROVIDER, made, ActivityReferralDecision.ACCEPTED, None, None)
    clock = Clock()
    clock.now = REFERRED_AT + timedelta(days=30)
    assert await ResponseDeadlines(fake, source="urn:test", clock=clock).run_once() == (0, 0)
    assert fake.stored.rows[made]["state"] == "accepted"


async def test_an_ended_referral_withdraws_what_is_unanswered_and_keeps_what_was_accepted(referral: Referral) -> None:
    fake, choir = await _referred(referral, walks_take_referrals=True)
    walks = next(r["id"] for r in fake.stored.rows.values() if r["service_id"] == WALKS)
    await _desk(fake).respond(PROVIDER, choir, ActivityReferralDecision.ACCEPTED, None, None)
    async with fake.transaction() as session:
        await withdraw_unanswered(session, referral.id, REFERRED_AT + timedelta(days=1), "lw-1", "link_worker")
    assert {r["id"]: r["state"] for r in fake.stored.rows.values()} == {choir: "accepted", walks: "withdrawn"}
    assert fake.kinds()[-1] == "activity-referral-withdrawn"
