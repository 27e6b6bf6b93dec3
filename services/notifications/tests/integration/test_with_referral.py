"""The acceptance end to end through the real referral service: a plan with a follow-up in two days gives one
SMS with the follow-up-reminder template and personalisation (captured by the local Notify), and a task for the
link worker on the due day. Both services run in-process on real Kafka and PostgreSQL; referral serves the
contact route over real HTTP. The follow-up is made due now (its due_at moved) instead of waiting two days."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from linkwork_contracts import topics
from linkwork_notifications.app import build_app as build_notifications
from linkwork_notifications.entrypoints.local_notify import template_ids
from linkwork_notifications.settings import Settings
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.app import build_app as build_referral
from linkwork_referral.settings import Settings as ReferralSettings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import running_app, served_over_http
from linkwork_stack.databases import scratch_database
from linkwork_stack.ports import free_port
from linkwork_stack.testing import own_topics, start_group_at_end
from notifications_support import (
    JWT_SECRET,
    ROUTE_TOKEN,
    consumed_topics,
    eventually,
    local_notify,
    service_settings,
)
from pydantic import SecretStr

pytestmark = pytest.mark.integration

PCN = "U00001"
# What the referral service consumes. It reads its own copies (created for the test, deleted afterwards): on
# the contract's topics it would also answer other sessions' referral requests, publishing a second copy of
# their referral-created events.
REFERRAL_CONSUMES = [topics.REFERRAL_REQUESTED, topics.MATCHES_SUGGESTED, topics.SERVICE_CHANGED]


def _headers(role: str = "link_worker", subject: str = "lw-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(JWT_SECRET, subject=subject, role=role, pcn=PCN)}"}


async def test_plan_with_follow_up_in_two_days_gives_one_sms_and_a_task(
    kafka_bootstrap: str, database_url: str, postgres_url: str
) -> None:
    port = free_port()
    async with (
        scratch_database(postgres_url) as referral_db,
        own_topics(kafka_bootstrap, REFERRAL_CONSUMES) as referral_topics,
    ):
        referral_settings = ReferralSettings(
            database_url=referral_db,
            kafka_bootstrap_servers=kafka_bootstrap,
            jwt_secret=JWT_SECRET,
            person_ref_secret="notifications-e2e-person-ref-secret-0123456789",
            consumer_group_prefix=f"notif-e2e-{uuid.uuid4().hex[:8]}",
            topic_prefix=referral_topics,
            follow_up_poll_seconds=0.2,
            http_port=port,
            contact_route_token=SecretStr(ROUTE_TOKEN),
        )
        with local_notify() as notify:
            # The notifications service reads the contract's topics (no prefix): the referral service publishes
            # there. Its consumer group starts at their end, past what other tests left.
            settings = service_settings(
                database_url,
                kafka_bootstrap,
                "",
                notify.url,
                f"http://127.0.0.1:{port}",
                dispatch_interval_seconds=0.2,
                acceptance_poll_seconds=0.5,
                pcn_names={PCN: "Leeds North PCN"},
            )
            await start_group_at_end(kafka_bootstrap, settings.consumer_group, consumed_topics())
            async with (
                served_over_http(build_referral(referral_settings), port=port, lifespan=True),
                running_app(build_notifications(settings)) as notifications,
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as referral,
            ):
                await _journey(referral, notifications, notify, referral_db, settings)


async def _journey(
    referral: httpx.AsyncClient, notifications: httpx.AsyncClient, notify: object, referral_db: str, settings: Settings
) -> None:
    body = referral_body(synthetic_nhs_number())
    body["person"] = {**body["person"], "phone": "07700 900123", "preferred_contact": "text-message"}
    created = await referral.post("/referrals", json=body, headers=_headers("referrer", "gp-1"))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert (await referral.post(f"/referrals/{rid}/accept", json={}, headers=_headers())).status_code == 200

    async def sent(count: int) -> bool:
        return len(notify.messages()) >= count  # type: ignore[attr-defined]

    await eventually(lambda: sent(1), within=90, what="the first-contact SMS after acceptance")
    contact = {
        "kind": "first-contact",
        "mode": "telephone",
        "outcome": "contact-made",
        "duration_minutes": 20,
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    contacted = await referral.post(f"/referrals/{rid}/contacts", json=contact, headers=_headers())
    assert contacted.status_code == 200, contacted.text
    assessed = await referral.post(
        f"/referrals/{rid}/assessment",
        headers=_headers(),
        json={
            "needs": ["loneliness-isolation"],
            "baseline_measures": [{"measure": "swemwbs", "items": [2, 2, 3, 2, 2, 2, 2]}],
            "delivery_modes": ["in-person"],
        },
    )
    assert assessed.status_code == 200, assessed.text
    due_on = datetime.now(ZoneInfo(settings.timezone)).date() + timedelta(days=2)
    planned = await referral.post(
        f"/referrals/{rid}/plan",
        headers=_headers(),
        json={
            "goals": ["join a group"],
            "needs_addressed": ["loneliness-isolation"],
            "activities": [{"service_id": str(uuid.uuid4()), "need": "loneliness-isolation", "name": "Choir"}],
            "follow_ups": [{"due_on": due_on.isoformat(), "kind": "review"}],
        },
    )
    assert planned.status_code == 200, planned.text
    # Two days pass: the follow-up falls due now (the scheduler emits follow-up-due for it).
    connection = await asyncpg.connect(referral_db)
    try:
        moved = await connection.execute("UPDATE follow_ups SET due_at = now() WHERE referral_id = $1", uuid.UUID(rid))
        assert moved == "UPDATE 1"
    finally:
        await connection.close()
    await eventually(lambda: sent(2), within=90, what="the follow-up reminder SMS")
    await asyncio.sleep(1.0)  # anything sent twice would show by now
    messages = notify.messages()  # type: ignore[attr-defined]
    assert len(messages) == 2
    first, reminder = messages
    assert first["template"]["id"] == template_ids()["first-contact/sms"]
    assert reminder["template"]["id"] == template_ids()["follow-up-reminder/sms"]
    assert reminder["phone_number"] == "07700 900123"
    weekday = due_on.strftime("%A")
    assert reminder["personalisation"] == {"pcn_name": "Leeds North PCN", "when": f"on {weekday}"}
    assert reminder["body"] == f"Your link worker from Leeds North PCN will call you on {weekday}."

    tasks = (await notifications.get("/tasks", params={"on": due_on.isoformat()}, headers=_headers())).json()
    # Only this referral's tasks: the notifications service reads the contract's topics, where another test's
    # follow-up-due event on the same day may add a task of its own.
    mine = [t for t in tasks["tasks"] if t["referral_id"] == rid]
    [task] = [t for t in mine if t["kind"] == "follow-up-due"]
    assert task["href"] == f"/referrals/{rid}" and task["due_on"] == due_on.isoformat()
