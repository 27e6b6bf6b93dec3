"""The follow-up scheduler: exactly one follow-up-due per due follow-up, with two replicas running,
one of them SIGKILLed midway and started again."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections import Counter
from datetime import UTC, datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import ContactKind, ContactOutcome, DeliveryMode, NeedCategory
from linkwork_contracts.measures import Timepoint, Ucla3Result
from linkwork_referral.adapters.repository import ReferralRepository
from linkwork_referral.app import MIGRATIONS, NAME, build_app
from linkwork_referral.domain.records import Assessment, Contact, PlanActivity, ScheduledFollowUp
from linkwork_referral.domain.referral import NewReferral, Referral
from linkwork_referral.settings import Settings
from linkwork_runtime import messaging
from linkwork_runtime.database import open_database
from linkwork_runtime.testing import running_app

from .kafka_support import eventually, tail
from .process_support import start_service

pytestmark = pytest.mark.integration
PLANS = 200
ZONE = ZoneInfo("Europe/London")


def planned_referral(new: NewReferral) -> Referral:
    """A referral whose plan has one follow-up due today, made with the domain's own steps."""
    now = datetime.now(UTC)
    referral = Referral.create(new)
    referral.accept("lw-1", now)
    referral.log_contact(
        Contact(uuid4(), ContactKind.FIRST_CONTACT, DeliveryMode.TELEPHONE, now, ContactOutcome.CONTACT_MADE, "lw-1"),
        now,
    )
    baseline = Ucla3Result.from_items([3, 3, 3], recorded_at=now, timepoint=Timepoint.BASELINE)
    referral.record_assessment(Assessment(tuple(new.needs), (baseline,), now, "lw-1"), now)
    referral.agree_plan(
        goals=["g"],
        needs_addressed=list(new.needs),
        activities=[PlanActivity(uuid4(), new.needs[0])],
        follow_ups=[ScheduledFollowUp(uuid4(), 0, ContactKind.FOLLOW_UP, now.astimezone(ZONE).date())],
        referral_version=None,
        by="lw-1",
        now=now,
    )
    referral.take_events()  # setup only: the events of these steps are not what this test is about
    return referral


def start_instance(settings: Settings) -> subprocess.Popen[bytes]:
    return start_service(
        settings,
        LINKWORK_FOLLOW_UP_POLL_SECONDS="0.2",
        LINKWORK_FOLLOW_UP_BATCH_SIZE="5",
        # Slow enough that a replica is still working through the backlog when it is killed.
        LINKWORK_FOLLOW_UP_MAX_PER_SECOND="100",
    )


async def test_two_replicas_one_killed_emit_each_due_follow_up_exactly_once(
    settings: Settings, new_referral: NewReferral
) -> None:
    pool = await open_database(settings.database_url, messaging.service_migrations(NAME, MIGRATIONS))
    follow_up_ids: set[UUID] = set()
    referral_ids: set[str] = set()
    try:
        async with pool.acquire() as connection, connection.transaction():
            repository = ReferralRepository(connection, ZONE)
            for _ in range(PLANS):
                referral = planned_referral(
                    NewReferral(**{**new_referral.__dict__, "id": uuid4(), "needs": (NeedCategory.HOUSING,)})
                )
                await repository.add(referral, "0" * 64)
                await repository.save(referral)
                assert referral.plan is not None
                follow_up_ids.update(f.id for f in referral.plan.follow_ups)
                referral_ids.add(str(referral.id))
    finally:
        await pool.close()
    assert len(follow_up_ids) == PLANS

    connection = await asyncpg.connect(settings.database_url)

    async def emitted() -> int:
        return int(await connection.fetchval("SELECT count(*) FROM follow_ups WHERE state = 'due'"))

    instances: list[subprocess.Popen[bytes]] = []
    try:
        async with tail(settings.kafka_bootstrap_servers, topics.FOLLOW_UP_DUE) as kafka:
            first, second = start_instance(settings), start_instance(settings)
            instances += [first, second]
            await eventually(lambda: _at_least(emitted, 40), within=60, what="the first replica emitting")
            first.send_signal(signal.SIGKILL)
            first.wait()
            at_kill = await emitted()
            assert at_kill < PLANS, "the backlog was done before the kill: the test proved nothing"
            restarted = start_instance(settings)  # the killed replica comes back
            instances.append(restarted)

            async def all_published() -> bool:
                pending = await connection.fetchval("SELECT count(*) FROM outbox")
                return await emitted() == PLANS and pending == 0

            await eventually(all_published, within=120, what="every follow-up emitted and published")

            def arrived() -> bool:
                return len({m.data["follow_up_id"] for m in kafka.messages if m.key in referral_ids}) >= PLANS

            await eventually(arrived, within=60, what="every follow-up-due on Kafka")
            await asyncio.sleep(1)  # let any late duplicate from the killed replica's relay arrive too
            ours = [m for m in kafka.messages if m.key in referral_ids]
    finally:
        for instance in instances:
            if instance.poll() is None:
                instance.send_signal(signal.SIGTERM)
        for instance in instances:
            instance.wait(timeout=30)
        await connection.close()

    event_ids = {m.envelope["id"] for m in ours}
    per_follow_up = Counter(m.data["follow_up_id"] for m in {m.envelope["id"]: m for m in ours}.values())
    assert len(event_ids) == PLANS, f"{len(event_ids)} distinct follow-up-due events for {PLANS} follow-ups"
    assert set(per_follow_up) == {str(f) for f in follow_up_ids}
    assert set(per_follow_up.values()) == {1}
    # The relay publishes at least once: a copy republished after the kill has the same event id,
    # which consumers drop through their inbox. Record how many raw copies there were.
    print(f"follow-up-due: {len(ours)} records, {len(event_ids)} distinct events, killed at {at_kill}/{PLANS}")
    assert all(m.type == "uk.linkwork.followup.due.v1" for m in ours)


async def _at_least(count: object, threshold: int) -> bool:
    assert callable(count)
    return bool(await count() >= threshold)


async def test_overdue_follow_ups_go_out_at_start_up(settings: Settings, new_referral: NewReferral) -> None:
    pool = await open_database(settings.database_url, messaging.service_migrations(NAME, MIGRATIONS))
    try:
        async with pool.acquire() as connection, connection.transaction():
            referral = planned_referral(new_referral)
            await ReferralRepository(connection, ZONE).add(referral, "0" * 64)
            await ReferralRepository(connection, ZONE).save(referral)
    finally:
        await pool.close()
    # With an hour between polls, only the start-up round can emit it within the test.
    patient = settings.model_copy(update={"follow_up_poll_seconds": 3600.0})
    connection = await asyncpg.connect(settings.database_url)
    try:
        async with running_app(build_app(patient)):

            async def emitted() -> bool:
                return bool(await connection.fetchval("SELECT state = 'due' FROM follow_ups"))

            await eventually(emitted, within=30, what="the overdue follow-up emitted at start-up")
    finally:
        await connection.close()


async def test_a_follow_up_that_breaks_the_event_contract_is_quarantined_and_the_rest_flow(
    settings: Settings, new_referral: NewReferral
) -> None:
    """Issue 15 [high]: an email-style link worker id made every round fail on the same oldest rows."""
    from linkwork_referral.adapters.follow_up_store import PostgresFollowUps
    from linkwork_referral.service_layer.scheduler import FollowUpScheduler
    from prometheus_client import CollectorRegistry

    pool = await open_database(settings.database_url, messaging.service_migrations(NAME, MIGRATIONS))
    try:
        async with pool.acquire() as connection, connection.transaction():
            repository = ReferralRepository(connection, ZONE)
            referrals = [planned_referral(NewReferral(**{**new_referral.__dict__, "id": uuid4()})) for _ in range(3)]
            for referral in referrals:
                await repository.add(referral, "0" * 64)
                await repository.save(referral)
            # The oldest due row belongs to a referral stored (before subjects were checked) with an email.
            bad = referrals[0]
            await connection.execute("UPDATE referrals SET link_worker = 'ada@example.org' WHERE id = $1", bad.id)
            await connection.execute(
                "UPDATE follow_ups SET due_at = due_at - interval '1 day' WHERE referral_id = $1", bad.id
            )
        registry = CollectorRegistry()
        scheduler = FollowUpScheduler(
            PostgresFollowUps(pool), source="urn:test", batch_size=10, max_per_second=100, registry=registry
        )
        assert await scheduler.run_once() == 3
        async with pool.acquire() as connection:
            states = {
                row["referral_id"]: (row["state"], row["quarantine_reason"])
                for row in await connection.fetch("SELECT referral_id, state, quarantine_reason FROM follow_ups")
            }
            published = await connection.fetchval("SELECT count(*) FROM outbox")
        assert states[bad.id] == ("quarantined", "link_worker_id: string_pattern_mismatch")
        assert [states[r.id][0] for r in referrals[1:]] == ["due", "due"]
        assert published == 2
        assert registry.get_sample_value("linkwork_referral_follow_ups_quarantined_total") == 1.0
        assert await scheduler.run_once() == 0  # the quarantined row is not claimed again
    finally:
        await pool.close()
