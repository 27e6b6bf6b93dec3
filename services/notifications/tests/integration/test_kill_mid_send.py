"""No duplicates across SIGKILL and replicas: the real service process is killed while Notify holds its answer
to a message it has already accepted; then two replicas take over. Every event ends with exactly one message.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid

import asyncpg
import pytest
from linkwork_contracts import examples
from linkwork_contracts.envelope import wrap
from linkwork_contracts.identifiers import derive_person_ref
from linkwork_notifications.entrypoints.local_notify import LocalNotify, template_ids
from linkwork_stack.ports import free_port
from notifications_support import (
    NOTIFY_KEY,
    ROUTE_TOKEN,
    ContactRouteServer,
    created_event,
    eventually,
    notify_world,
    produce,
    sms_route,
)

pytestmark = pytest.mark.integration

REFERRALS = 6


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "linkwork_notifications"],
        env={**os.environ, **env, "LINKWORK_HTTP_PORT": str(free_port())},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_killed_mid_send_and_replicas_send_nothing_twice(kafka_bootstrap: str, database_url: str) -> None:
    async with notify_world(kafka_bootstrap) as (prefix, notify, routes):
        await _scenario(kafka_bootstrap, database_url, prefix, notify, routes)


async def _scenario(
    bootstrap: str, database_url: str, prefix: str, notify: LocalNotify, routes: ContactRouteServer
) -> None:
    referrals = [uuid.uuid4() for _ in range(REFERRALS)]
    for referral in referrals:
        routes.routes[str(referral)] = sms_route()
    events = [created_event(r, derive_person_ref(examples.NHS_NUMBER, r.bytes * 2)) for r in referrals]
    env = {
        "LINKWORK_DATABASE_URL": database_url,
        "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "LINKWORK_TOPIC_PREFIX": prefix,
        "LINKWORK_CONSUMER_GROUP": f"notifications-{uuid.uuid4().hex[:8]}",
        "LINKWORK_NOTIFY_API_KEY": NOTIFY_KEY,
        "LINKWORK_NOTIFY_BASE_URL": notify.url,
        "LINKWORK_NOTIFY_TEMPLATES": json.dumps(template_ids()),
        "LINKWORK_REFERRAL_URL": routes.url,
        "LINKWORK_CONTACT_ROUTE_TOKEN": ROUTE_TOKEN,
        "LINKWORK_DISPATCH_INTERVAL_SECONDS": "0.2",
        # Long enough that no live sender on a loaded machine outlives its lease (a replica would then send a
        # message again); the dead sender's leases are run out by the test itself, below.
        "LINKWORK_LEASE_SECONDS": "600",
        "LINKWORK_LOG_LEVEL": "WARNING",
    }
    notify.state.answering.clear()  # Notify records each message but holds its answer
    first = _start(env)
    try:
        await produce(bootstrap, prefix, [(e, wrap(e, source="urn:linkwork:referral")) for e in events])

        async def accepted_unanswered() -> bool:
            return len(notify.messages()) >= 1

        await eventually(accepted_unanswered, within=90, what="a message accepted by Notify, its answer held")
        first.send_signal(signal.SIGKILL)  # mid-send: Notify has it, the service never heard back
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    notify.state.answering.set()
    await _expire_leases(database_url)
    replicas = [_start(env), _start(env)]
    try:

        async def all_settled() -> bool:
            connection = await asyncpg.connect(database_url)
            try:
                return bool(
                    await connection.fetchval(
                        "SELECT count(*) FILTER (WHERE status = 'sent') = $1 AND count(*) = $1 FROM messages",
                        REFERRALS,
                    )
                )
            except asyncpg.UndefinedTableError:
                return False
            finally:
                await connection.close()

        await eventually(all_settled, within=120, what="every message recorded as sent")
    finally:
        for replica in replicas:
            replica.send_signal(signal.SIGTERM)
        for replica in replicas:
            try:
                replica.wait(timeout=30)
            except subprocess.TimeoutExpired:
                replica.kill()
    connection = await asyncpg.connect(database_url)
    try:  # the message the killed process was sending was claimed again, found at Notify, not resent
        assert await connection.fetchval("SELECT max(attempts) FROM messages") >= 2
    finally:
        await connection.close()
    references = [m["reference"] for m in notify.messages()]
    assert len(references) == REFERRALS, "a message was sent twice"
    assert len(set(references)) == REFERRALS


async def _expire_leases(database_url: str) -> None:
    """Run out the killed sender's leases now, as time would: no sender runs at this point, so every message
    still `sending` was the dead one's, and the replicas must look it up at Notify before sending it."""
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("UPDATE messages SET next_attempt_at = now() WHERE status = 'sending'")
    finally:
        await connection.close()
