"""The running service against real Kafka and PostgreSQL, the local Notify and a stand-in referral endpoint.

The issue's acceptance: a follow-up due in two days produces one SMS with the right template and
personalisation (captured by the local Notify) and a task for the link worker on the due day; an opted-out
person, or one without consent, gets nothing; redelivered events send nothing twice; Notify's receipts
(bearer token) turn a permanent failure into a "could not reach by SMS" task.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from linkwork_contracts import examples
from linkwork_contracts.envelope import wrap
from linkwork_contracts.identifiers import derive_person_ref
from linkwork_notifications.app import build_app
from linkwork_notifications.entrypoints.local_notify import template_ids
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import running_app
from notifications_support import (
    JWT_SECRET,
    ContactRouteServer,
    created_event,
    due_event,
    eventually,
    notify_world,
    produce,
    service_settings,
    sms_route,
)

pytestmark = pytest.mark.integration

CALLBACK_TOKEN = "notify-callback-token-for-tests-32-bytes-or-more"
SOURCE = "linkwork/referral"
PCN = examples.PCN


def _auth() -> dict[str, str]:
    token = issue_token(JWT_SECRET, subject="lw-0042", role="link_worker", pcn=PCN)
    return {"Authorization": f"Bearer {token}"}


async def test_reminders_tasks_opt_out_and_no_duplicates(kafka_bootstrap: str, database_url: str) -> None:
    async with notify_world(kafka_bootstrap) as (prefix, notify, routes):
        await _flow(kafka_bootstrap, database_url, prefix, notify, routes)


async def _flow(bootstrap: str, database_url: str, prefix: str, notify: Any, routes: ContactRouteServer) -> None:
    keen, opting_out, no_consent, waiting = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    refs = {r: derive_person_ref(examples.NHS_NUMBER, r.bytes * 2) for r in (keen, opting_out, no_consent)}
    waiting_ref = derive_person_ref(examples.NHS_NUMBER, waiting.bytes * 2)
    routes.routes[str(keen)] = sms_route()
    routes.routes[str(opting_out)] = sms_route(phone="07700900456")
    routes.routes[str(no_consent)] = sms_route(phone="07700900789", consented_channels=[])
    routes.routes[str(waiting)] = sms_route(phone="07700900321", accepted=False)  # not yet triaged
    settings = service_settings(
        database_url,
        bootstrap,
        prefix,
        notify.url,
        routes.url,
        notify_callback_token=CALLBACK_TOKEN,
        dispatch_interval_seconds=0.2,
        acceptance_poll_seconds=0.5,
    )
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    due_on = today + timedelta(days=2)
    created = [(e, wrap(e, source=SOURCE)) for e in (created_event(r, refs[r]) for r in refs)]
    created.append((event := created_event(waiting, waiting_ref), wrap(event, source=SOURCE)))
    async with running_app(build_app(settings)) as client:
        # The same referral-created delivered twice (a relay that died between publish and delete).
        await produce(bootstrap, prefix, [*created, created[0]])
        await eventually(lambda: _has(notify, 2), within=60, what="two first-contact SMS")
        # The first-contact message waits for acceptance (without using up its attempts), then goes.
        assert "07700900321" not in [m["phone_number"] for m in notify.messages()]
        routes.routes[str(waiting)]["accepted"] = True
        await eventually(lambda: _has(notify, 3), within=60, what="the first-contact SMS after acceptance")
        assert [m["phone_number"] for m in notify.messages()].count("07700900321") == 1

        response = await client.put(f"/referrals/{opting_out}/opt-outs/sms", headers=_auth())
        assert response.status_code == 204
        due = [
            (e, wrap(e, source=SOURCE)) for e in (due_event(r, refs[r], due_on) for r in (keen, opting_out, no_consent))
        ]
        await produce(bootstrap, prefix, [*due, due[0]])
        await eventually(lambda: _has(notify, 4), within=60, what="the follow-up reminder")
        await eventually(lambda: _settled(client), within=60, what="every message settled")

        sent = notify.messages()
        assert [m["phone_number"] for m in sent].count("07700900123") == 2  # keen: first contact, reminder
        assert [m["phone_number"] for m in sent].count("07700900456") == 1  # first contact only: opted out after
        assert "07700900789" not in [m["phone_number"] for m in sent]  # never consented to SMS
        [reminder] = [m for m in sent if m["template"]["id"] == template_ids()["follow-up-reminder/sms"]]
        weekday = due_on.strftime("%A")
        assert reminder["personalisation"] == {"pcn_name": "Leeds North PCN", "when": f"on {weekday}"}
        assert reminder["body"] == f"Your link worker from Leeds North PCN will call you on {weekday}."

        # The link worker's task, on the due day (and not before it).
        on_due_day = (await client.get("/tasks", params={"on": due_on.isoformat()}, headers=_auth())).json()["tasks"]
        follow_ups = {t["referral_id"] for t in on_due_day if t["kind"] == "follow-up-due"}
        assert follow_ups == {str(keen), str(opting_out), str(no_consent)}
        assert {t["href"] for t in on_due_day} >= {f"/referrals/{keen}"}
        today_tasks = (await client.get("/tasks", headers=_auth())).json()["tasks"]
        assert not [t for t in today_tasks if t["kind"] == "follow-up-due"]

        # Notify's receipt: authenticated, and a permanent failure raises "could not reach by SMS".
        receipt = {"id": reminder["id"], "reference": reminder["reference"], "status": "permanent-failure"}
        assert (await client.post("/notify/receipts", json=receipt)).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert (await client.post("/notify/receipts", json=receipt, headers=wrong)).status_code == 401
        ok = {"Authorization": f"Bearer {CALLBACK_TOKEN}"}
        assert (await client.post("/notify/receipts", json=receipt, headers=ok)).status_code == 204
        tasks = (await client.get("/tasks", headers=_auth())).json()["tasks"]
        [undeliverable] = [t for t in tasks if t["kind"] == "undeliverable"]
        assert undeliverable["referral_id"] == str(keen)
        assert undeliverable["detail"].startswith("could not reach by SMS")

        metrics = (await client.get("/metrics")).text
        assert 'linkwork_notifications_messages_total{channel="sms",outcome="sent"} 4.0' in metrics
    assert len(notify.messages()) == 4  # nothing more after shutdown either


async def _has(notify: Any, count: int) -> bool:
    return len(notify.messages()) >= count


async def _settled(client: Any) -> bool:
    pool = client._transport.app.state.context.pool
    pending = await pool.fetchval("SELECT count(*) FROM messages WHERE status IN ('pending', 'sending')")
    total = await pool.fetchval("SELECT count(*) FROM messages")
    return bool(pending == 0 and total == 7)
