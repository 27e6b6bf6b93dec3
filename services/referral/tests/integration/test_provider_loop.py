"""Closing the loop with providers (issue 17) over HTTP, against real PostgreSQL, Kafka and SMTP (aiosmtpd):
activity referrals from an agreed plan, the provider's answers and attendance, the link worker's timeline,
the response deadline with two replicas racing, and that nothing beyond the agreed minimum leaves."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import ReferralRoute
from linkwork_contracts.envelope import decode
from linkwork_referral.adapters.activity_referral_store import PostgresActivityReferrals
from linkwork_referral.app import MIGRATIONS, NAME, build_app
from linkwork_referral.service_layer.activity_referrals import ResponseDeadlines
from linkwork_referral.settings import Settings
from linkwork_runtime import messaging
from linkwork_runtime.database import open_database
from linkwork_runtime.testing import running_app
from linkwork_stack.testing import SmtpInbox, smtp_server
from referral_builders import person_identifiers

from .conftest import FAST_RETRY, Token
from .kafka_support import eventually, tail
from .provider_support import MovableClock, planned, provider_token, publish_services, services_known

pytestmark = pytest.mark.integration

PROVIDER_TOPICS = [topics.ACTIVITY_REFERRED, topics.ACTIVITY_REFERRAL_RESPONDED, topics.ATTENDANCE_CONFIRMED]
INBOX = "referrals@walking-trust.example"


@pytest.fixture
def smtp() -> Iterator[tuple[int, SmtpInbox]]:
    with smtp_server() as server:
        yield server


def with_email(settings: Settings, port: int, organisation: UUID, **changes: object) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "provider_emails": {organisation: INBOX},
            "provider_email_poll_seconds": 0.1,
            "provider_deadline_poll_seconds": 0.1,
            **changes,
        }
    )


async def test_a_provider_accepts_confirms_three_sessions_and_completes(
    settings: Settings, token: Token, smtp: tuple[int, SmtpInbox]
) -> None:
    port, inbox = smtp
    walks, choir, organisation, other = uuid4(), uuid4(), uuid4(), uuid4()
    settings = with_email(settings, port, organisation)
    provider, worker = provider_token(organisation), token()
    async with (
        running_app(build_app(settings, retry=FAST_RETRY)) as client,
        tail(settings.kafka_bootstrap_servers, *PROVIDER_TOPICS) as kafka,
    ):
        await publish_services(
            settings,
            (walks, organisation, (ReferralRoute.LINK_WORKER,)),
            (choir, other, (ReferralRoute.SELF_REFERRAL,)),  # signposted only: no referral to it
        )
        await services_known(settings.database_url, walks, choir)
        share = {"first_name": True, "contact": "phone", "needs": True, "accessibility_needs": True}
        rid, body = await planned(
            client,
            token,
            [
                {"service_id": str(walks), "need": "physical-activity", "share": share},
                {"service_id": str(choir), "need": "loneliness-isolation"},
            ],
        )
        # Everything about the person that a provider must never get (they agreed to first name and phone).
        secrets = [*person_identifiers(body, shared=("given_name", "phone")), str(body["reason"])]

        [referred] = [m.data for m in await kafka.arrived(rid, topics.ACTIVITY_REFERRED)]
        assert referred["service_id"] == str(walks) and referred["organization_id"] == str(organisation)
        assert referred["shared"] == {
            "first_name": "Ada",
            "contact": {"route": "phone", "value": "0113 496 0000"},
            "needs": ["physical-activity"],
            "accessibility_needs": ["step-free-access"],
        }
        assert "person_ref" not in referred

        listed = await client.get("/provider/activity-referrals", headers=provider)
        assert listed.status_code == 200, listed.text
        [item] = listed.json()["activity_referrals"]
        aid = item["id"]
        assert item["state"] == "awaiting-response" and item["shared"]["first_name"] == "Ada"
        # Another organisation sees nothing of it; a link worker cannot use the provider API.
        stranger = provider_token(other, "provider-2")
        assert (await client.get("/provider/activity-referrals", headers=stranger)).json()["activity_referrals"] == []
        assert (await client.get(f"/provider/activity-referrals/{aid}", headers=stranger)).status_code == 404
        assert (await client.post(f"/provider/activity-referrals/{aid}/complete", headers=stranger)).status_code == 404
        assert (await client.get("/provider/activity-referrals", headers=worker)).status_code == 403

        base = f"/provider/activity-referrals/{aid}"
        no_response = await client.post(f"{base}/decline", headers=provider, json={"reason": "no-response"})
        assert no_response.status_code == 422 and "reason" in no_response.json()["detail"]
        too_early = await client.post(f"{base}/complete", headers=provider)
        assert too_early.status_code == 409 and too_early.json()["allowed_states"] == ["accepted"]

        today = datetime.now(UTC).date()
        starts = today - timedelta(days=14)
        accepted = await client.post(f"{base}/accept", headers=provider, json={"starts_on": starts.isoformat()})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["state"] == "accepted" and accepted.json()["starts_on"] == starts.isoformat()
        sessions = [(starts, "attended"), (starts + timedelta(days=7), "did-not-attend"), (today, "attended")]
        for day, attendance in sessions:
            answer = await client.post(
                f"{base}/attendance", headers=provider, json={"session_on": day.isoformat(), "attendance": attendance}
            )
            assert answer.status_code == 200, answer.text
        future = await client.post(
            f"{base}/attendance",
            headers=provider,
            json={"session_on": (today + timedelta(days=3)).isoformat(), "attendance": "attended"},
        )
        assert future.status_code == 422
        completed = await client.post(f"{base}/complete", headers=provider)
        assert completed.status_code == 200, completed.text
        assert completed.json()["state"] == "completed" and completed.json()["sessions_attended"] == 2
        assert [s["attendance"] for s in completed.json()["sessions"]] == [a for _, a in sessions]
        assert (await client.post(f"{base}/decline", headers=provider, json={"reason": "other"})).status_code == 409

        [responded] = [m.data for m in await kafka.arrived(rid, topics.ACTIVITY_REFERRAL_RESPONDED)]
        assert responded["decision"] == "accepted" and responded["starts_on"] == starts.isoformat()
        confirmed = [m.data for m in await kafka.arrived(rid, topics.ATTENDANCE_CONFIRMED, 4)]
        assert [(c["attendance"], c["completed"], c["confirmed_by"]) for c in confirmed] == [
            ("attended", False, "provider"),
            ("did-not-attend", False, "provider"),
            ("attended", False, "provider"),
            (None, True, "provider"),
        ]
        for message in kafka.keyed(rid):
            decode(json.dumps(message.envelope).encode())  # each valid against its contract
            raw = json.dumps(message.envelope)
            leaked = [value for value in secrets if value in raw]
            assert leaked == [], f"{message.type} carries {len(leaked)} identifier(s) beyond the agreed minimum"

        # The link worker sees each step in the referral's timeline.
        history = (await client.get(f"/referrals/{rid}/timeline", headers=worker)).json()
        kinds = [e["kind"] for e in history]
        assert kinds[kinds.index("plan-agreed") :] == [
            "plan-agreed",
            "activity-referred",
            "provider-accepted",
            "attendance-confirmed",
            "attendance-confirmed",
            "attendance-confirmed",
            "activity-completed",
        ]
        assert all(
            value not in json.dumps(entry)
            for entry in history
            if entry["actor_role"] == "provider"
            for value in ("Ada", "0113")
        )

        # One email to the organisation's inbox: that there is a referral, and the console link; nothing else.
        await eventually(lambda: len(inbox.messages) >= 1, within=30, what="the new-referral email")
        [email] = inbox.messages
        text = email.get_payload(decode=True).decode()
        assert email["To"] == INBOX and f"/provider/referrals/{aid}" in text
        for value in [*secrets, "Ada", "0113 496 0000", "step-free", "physical", "walk", "Walk"]:
            assert value not in text and value not in str(email["Subject"])


@pytest.fixture
async def clock() -> AsyncIterator[MovableClock]:
    yield MovableClock()


async def test_the_deadline_reminds_once_and_declines_once_with_two_replicas(
    settings: Settings, token: Token, smtp: tuple[int, SmtpInbox], clock: MovableClock
) -> None:
    port, inbox = smtp
    walks, organisation = uuid4(), uuid4()
    settings = with_email(settings, port, organisation)
    worker = token()
    first, second = (build_app(settings, retry=FAST_RETRY, clock=clock) for _ in range(2))
    async with (
        running_app(first) as client,
        running_app(second) as other,
        tail(settings.kafka_bootstrap_servers, *PROVIDER_TOPICS) as kafka,
    ):
        await publish_services(settings, (walks, organisation, (ReferralRoute.LINK_WORKER,)))
        await services_known(settings.database_url, walks)
        rid, _ = await planned(client, token, [{"service_id": str(walks), "need": "physical-activity"}], clock.now)
        await eventually(lambda: len(inbox.messages) == 1, within=30, what="the new-referral email")

        async def kinds() -> list[str]:
            return [e["kind"] for e in (await other.get(f"/referrals/{rid}/timeline", headers=worker)).json()]

        clock.advance(timedelta(days=7, hours=1))
        await eventually(lambda: len(inbox.messages) == 2, within=30, what="the reminder email")
        assert "Reminder" in str(inbox.messages[1]["Subject"])
        clock.advance(timedelta(days=7))
        [responded] = [m.data for m in await kafka.arrived(rid, topics.ACTIVITY_REFERRAL_RESPONDED)]
        assert responded["decision"] == "declined" and responded["decline_reason"] == "no-response"
        await eventually(lambda: len(inbox.messages) == 3, within=30, what="the automatic-decline email")
        # Both replicas keep polling; after more rounds than it takes, each step is still there once.
        connection = await asyncpg.connect(settings.database_url)
        try:
            intents = await connection.fetchval("SELECT count(*) FROM provider_emails")
            assert intents == 3
        finally:
            await connection.close()
        history = await kinds()
        assert history.count("provider-reminded") == 1 and history.count("provider-declined") == 1
        assert len(kafka.keyed(rid, topics.ACTIVITY_REFERRAL_RESPONDED)) == 1
        answer = await client.post(
            f"/provider/activity-referrals/{responded['activity_referral_id']}/accept",
            headers=provider_token(organisation),
            json={},
        )
        assert answer.status_code == 409  # too late: the link worker has been told


RACED = 60


async def test_many_deadlines_raced_by_two_replicas_each_happen_exactly_once(
    settings: Settings, token: Token, clock: MovableClock
) -> None:
    """Two schedulers on separate connection pools claim the same due rows at once, round after round."""
    walks, organisation = uuid4(), uuid4()
    async with running_app(build_app(settings, retry=FAST_RETRY, clock=clock)) as client:
        await publish_services(settings, (walks, organisation, (ReferralRoute.LINK_WORKER,)))
        await services_known(settings.database_url, walks)
        rid, _ = await planned(client, token, [{"service_id": str(walks), "need": "physical-activity"}], clock.now)
    migrations = messaging.service_migrations(NAME, MIGRATIONS)
    pools = [await open_database(settings.database_url, migrations) for _ in range(2)]
    try:
        async with pools[0].acquire() as connection:
            # Copies of the one activity referral (one per service), all referred at the same moment.
            template = await connection.fetchrow("SELECT * FROM activity_referrals WHERE referral_id = $1", UUID(rid))
            for _ in range(RACED - 1):
                await connection.execute(
                    """INSERT INTO activity_referrals (id, referral_id, service_id, service_name, organization_id,
                           organization_name, need, pcn, shared, referred_at, respond_by, remind_at)
                       SELECT $1, referral_id, $2, service_name, organization_id, organization_name, need, pcn,
                           shared, referred_at, respond_by, remind_at FROM activity_referrals WHERE id = $3""",
                    uuid4(),
                    uuid4(),
                    template["id"],
                )
        replicas = [
            ResponseDeadlines(PostgresActivityReferrals(pool), source="urn:test", batch_size=7, clock=clock)
            for pool in pools
        ]

        async def race() -> tuple[int, int]:
            totals = [0, 0]
            for _ in range(RACED):  # more rounds than needed: late rounds must find nothing left
                done = await asyncio.gather(*(r.run_once() for r in replicas))
                for reminded, declined in done:
                    totals[0] += reminded
                    totals[1] += declined
            return totals[0], totals[1]

        clock.advance(timedelta(days=8))
        assert await race() == (RACED, 0)
        clock.advance(timedelta(days=7))
        assert await race() == (0, RACED)
        async with pools[0].acquire() as connection:
            counts = await connection.fetchrow(
                """SELECT count(*) FILTER (WHERE kind = 'provider-reminded') AS reminded,
                          count(*) FILTER (WHERE kind = 'provider-declined') AS declined
                   FROM timeline WHERE referral_id = $1""",
                UUID(rid),
            )
            emails = await connection.fetch(
                "SELECT kind, count(*) AS n FROM provider_emails GROUP BY kind ORDER BY kind"
            )
            outbox = await connection.fetchval(
                "SELECT count(*) FROM outbox WHERE topic = $1", topics.ACTIVITY_REFERRAL_RESPONDED
            )
        assert (counts["reminded"], counts["declined"]) == (RACED, RACED)
        assert {r["kind"]: r["n"] for r in emails} == {
            "declined-no-response": RACED,
            "new-referral": 1,
            "reminder": RACED,
        }
        assert outbox == RACED  # nothing relays here: every responded event is still in the outbox
    finally:
        for pool in pools:
            await pool.close()


async def test_a_referral_ended_before_the_answer_withdraws_it(
    settings: Settings, token: Token, clock: MovableClock
) -> None:
    """Entered in error (or closed) while the provider has not answered: withdrawn, and the deadline leaves it be."""
    walks, organisation = uuid4(), uuid4()
    provider = provider_token(organisation)
    async with running_app(build_app(settings, retry=FAST_RETRY, clock=clock)) as client:
        await publish_services(settings, (walks, organisation, (ReferralRoute.LINK_WORKER,)))
        await services_known(settings.database_url, walks)
        rid, _ = await planned(client, token, [{"service_id": str(walks), "need": "physical-activity"}], clock.now)
        ended = await client.post(f"/referrals/{rid}/entered-in-error", headers=token(), json={"reason": "duplicate"})
        assert ended.status_code == 200, ended.text
        [item] = (await client.get("/provider/activity-referrals", headers=provider)).json()["activity_referrals"]
        assert item["state"] == "withdrawn"
        accepting = await client.post(f"/provider/activity-referrals/{item['id']}/accept", headers=provider, json={})
        assert accepting.status_code == 409
        pool = await open_database(settings.database_url, messaging.service_migrations(NAME, MIGRATIONS))
        try:
            deadlines = ResponseDeadlines(PostgresActivityReferrals(pool), source="urn:test", clock=clock)
            clock.advance(timedelta(days=8))
            assert await deadlines.run_once() == (0, 0)
            clock.advance(timedelta(days=7))
            assert await deadlines.run_once() == (0, 0)
        finally:
            await pool.close()
        kinds = [e["kind"] for e in (await client.get(f"/referrals/{rid}/timeline", headers=token())).json()]
        assert kinds[-2:] == ["entered-in-error", "activity-referral-withdrawn"]
