"""Hold, resume and entered in error over HTTP, on the real database and broker: the 422 names the field and
rule, the timeline records each step, entered-in-error goes out as referral-closed with that status (which
outcomes leaves out of its figures) and no GP codes, and no follow-up falls due while a referral is on hold."""

from __future__ import annotations

import random
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_referral.adapters.follow_up_store import PostgresFollowUps
from linkwork_referral.adapters.repository import ReferralRepository
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.app import MIGRATIONS, NAME
from linkwork_referral.domain.referral import NewReferral
from linkwork_referral.service_layer.scheduler import FollowUpScheduler
from linkwork_referral.settings import Settings
from linkwork_runtime import messaging
from linkwork_runtime.database import open_database
from prometheus_client import CollectorRegistry

from .conftest import Token
from .kafka_support import eventually, tail
from .test_scheduler import planned_referral

pytestmark = pytest.mark.integration
ZONE = ZoneInfo("Europe/London")


async def test_hold_resume_and_entered_in_error(client: httpx.AsyncClient, token: Token, settings: Settings) -> None:
    referrer, worker, admin = token("referrer", subject="gp-1"), token(), token("pcn_admin", subject="admin-1")
    body = referral_body(synthetic_nhs_number(random.Random()))
    async with tail(settings.kafka_bootstrap_servers, topics.REFERRAL_CLOSED) as kafka:
        rid = (await client.post("/referrals", json=body, headers=referrer)).json()["id"]
        assert (await client.post(f"/referrals/{rid}/accept", json={}, headers=worker)).status_code == 200

        refused = await client.post(f"/referrals/{rid}/hold", json={"reason": ""}, headers=worker)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"].endswith("reason") for e in refused.json()["errors"]), refused.text

        held = await client.post(f"/referrals/{rid}/hold", json={"reason": "In hospital"}, headers=worker)
        assert held.status_code == 200, held.text
        assert held.json()["state"] == "on-hold" and held.json()["status"] == "on-hold"
        assert held.json()["hold"]["reason"] == "In hospital"
        assert "resume" in held.json()["allowed_actions"] and "log-contact" not in held.json()["allowed_actions"]

        contact = {"kind": "first-contact", "mode": "telephone", "occurred_at": held.json()["updated_at"]}
        blocked = await client.post(
            f"/referrals/{rid}/contacts", json={**contact, "outcome": "contact-made"}, headers=worker
        )
        assert blocked.status_code == 409

        # Only a link worker holds; a referrer may do neither.
        assert (await client.post(f"/referrals/{rid}/resume", headers=referrer)).status_code in (403, 404)
        resumed = await client.post(f"/referrals/{rid}/resume", headers=worker)
        assert resumed.status_code == 200 and resumed.json()["state"] == "allocated"
        assert resumed.json()["hold"] is None
        assert (await client.post(f"/referrals/{rid}/resume", headers=worker)).status_code == 409

        error = await client.post(f"/referrals/{rid}/entered-in-error", json={"reason": "Wrong person"}, headers=admin)
        assert error.status_code == 200, error.text
        assert error.json()["state"] == "entered-in-error" and error.json()["allowed_actions"] == []
        again = await client.post(f"/referrals/{rid}/entered-in-error", json={"reason": "x"}, headers=admin)
        assert again.status_code == 409

        await eventually(lambda: bool(kafka.keyed(rid, topics.REFERRAL_CLOSED)), within=30, what="referral-closed")
        [closed] = kafka.keyed(rid, topics.REFERRAL_CLOSED)
        assert closed.data["status"] == "entered-in-error" and closed.data["gp_record_codes"] == []
        assert "Wrong person" not in str(closed.envelope)

    timeline = (await client.get(f"/referrals/{rid}/timeline", headers=worker)).json()
    assert [e["kind"] for e in timeline][-4:] == ["accepted", "put-on-hold", "resumed", "entered-in-error"]


async def test_no_follow_up_falls_due_while_on_hold(settings: Settings, new_referral: NewReferral) -> None:
    pool = await open_database(settings.database_url, messaging.service_migrations(NAME, MIGRATIONS))
    try:
        referral = planned_referral(NewReferral(**{**new_referral.__dict__, "id": uuid4()}))
        referral.put_on_hold("Asked to wait", "lw-1", referral.updated_at or referral.created_at)
        async with pool.acquire() as connection, connection.transaction():
            repository = ReferralRepository(connection, ZONE)
            await repository.add(referral, "0" * 64)
            await repository.save(referral)
        scheduler = FollowUpScheduler(
            PostgresFollowUps(pool), source="urn:test", batch_size=10, max_per_second=100, registry=CollectorRegistry()
        )
        assert await scheduler.run_once() == 0  # due today, but on hold: still pending
        referral.resume(referral.updated_at or referral.created_at)
        async with pool.acquire() as connection, connection.transaction():
            await ReferralRepository(connection, ZONE).save(referral)
        assert await scheduler.run_once() == 1  # resumed: the overdue follow-up goes out now
    finally:
        await pool.close()
