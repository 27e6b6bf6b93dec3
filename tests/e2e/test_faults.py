"""500 referrals flow while every service is SIGKILLed and restarted at random, the broker is restarted
once and PostgreSQL once; hostile events arrive on every topic.

Afterwards: every referral has exactly one suggestion set per version, every follow-up that fell due was
emitted once, the outcomes figures equal those of a clean rebuild from the event log, and every hostile
event ended in its topic's dead-letter topic without stalling anything behind it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.envelope import encode, wrap
from linkwork_referral.service_layer.requests import referral_id_for
from linkwork_stack.journey import Journey
from linkwork_stack.people import Person
from linkwork_stack.resilient import ResilientJourney
from linkwork_stack.services import SERVICES
from linkwork_stack.system import SystemUnderTest, eventually, load_demo_directory, metric_value
from linkwork_stack.testing import groups_behind, produce
from linkwork_stack.topic_reader import read_topic

pytestmark = pytest.mark.e2e
GP_SOURCE = "urn:test:gp"  # the CloudEvents source of the requests this test sends
log = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # thousands of requests: only failures are news
REFERRALS = 500
CLOSED_SHARE = 0.5
CONCURRENCY = 24
HOSTILE_KEY = b"hostile"
INPUT_TOPICS = (
    topics.REFERRAL_REQUESTED,
    topics.REFERRAL_CREATED,
    topics.MATCHES_SUGGESTED,
    topics.PLAN_AGREED,
    topics.FOLLOW_UP_DUE,
    topics.FOLLOW_UP_RECORDED,
    topics.REFERRAL_CLOSED,
    topics.SERVICE_CHANGED,
    topics.PROVISION_GAP,
)


def _hostile(topic: str) -> list[bytes]:
    """Not JSON; JSON but no CloudEvent; an unknown event type; a known type whose data breaks its schema."""
    unknown = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "urn:hostile",
        "type": "uk.evil.thing.v9",
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": {},
    }
    broken = {
        **unknown,
        "id": str(uuid.uuid4()),
        "type": "uk.linkwork.referral.created.v1",
        "data": {"referral_id": "not-a-uuid", "nhs_number": "9990000018"},
    }
    return [
        f"{{not json at all {topic}".encode(),
        json.dumps({"hello": topic}).encode(),
        json.dumps(unknown).encode(),
        json.dumps(broken).encode(),
    ]


async def _genuine(bootstrap: str, topic: str) -> list[Any]:
    """The topic's records, less the hostile ones this test put there itself."""
    return [record for record in await read_topic(bootstrap, topic) if record.key != HOSTILE_KEY]


async def _chaos(system: SystemUnderTest, stop: asyncio.Event, rng: random.Random) -> list[str]:
    """Kill and restart services at random; restart Kafka once and PostgreSQL once along the way."""
    done: list[str] = []
    infrastructure = [("kafka", system.infra.kafka), ("postgres", system.infra.postgres)]
    rounds = 0
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(3, 6))
        if stop.is_set():
            break
        rounds += 1
        if rounds in (3, 6) and infrastructure:
            name, server = infrastructure.pop(0)
            await asyncio.to_thread(server.kill if name == "postgres" else server.stop)
            await asyncio.sleep(5 if name == "kafka" else 2)
            await asyncio.to_thread(server.start)
        else:
            name = rng.choice(SERVICES)
            system.kill(name)
            await asyncio.sleep(rng.uniform(0.2, 2))
            await asyncio.to_thread(system.restart, name, 120.0)
        done.append(name)
        log.info("chaos: restarted %s", name)
    return done


SETTLED = "outboxes empty and consumers caught up"
PROJECTED = "the outcomes projector to project every referral stored"


async def _settled(client: httpx.AsyncClient, system: SystemUnderTest) -> bool:
    """Quiescence: every outbox is empty and every consumer has caught up, as the services report it and as
    Kafka's committed offsets show it (a service restarted a moment ago reports no lag before its first fetch)."""
    if await groups_behind(system.infra.kafka.bootstrap):
        return False
    for name in SERVICES:
        url = system.url(name)
        if await metric_value(client, url, "linkwork_outbox_backlog") > 0:
            return False
        if await metric_value(client, url, "linkwork_consumer_lag") > 0:
            return False
    return True


async def _projected(client: httpx.AsyncClient, system: SystemUnderTest, since: float) -> bool:
    """No referral waits for the outcomes projector, as read by a refresh of its gauges that began after `since`
    (the gauges are re-read every 15 s; an older reading could predate the last facts stored)."""
    url = system.url("outcomes")
    refreshed = await metric_value(client, url, "linkwork_outcomes_business_metrics_refreshed_timestamp_seconds")
    return refreshed > since and await metric_value(client, url, "linkwork_outcomes_projection_backlog") == 0


async def _summary(client: httpx.AsyncClient, system: SystemUnderTest) -> dict[str, Any]:
    response = await client.get(
        f"{system.url('outcomes')}/reports/summary", headers=system.headers("commissioner", subject="icb")
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    body.pop("generated_at", None)
    return body


async def test_nothing_lost_or_doubled_under_crashes_and_hostile_input(system: SystemUnderTest) -> None:
    rng = random.Random(2026)
    bootstrap = system.infra.kafka.bootstrap
    load_demo_directory(system, 300)
    people = {f"fault-{i:04d}-{uuid.uuid4().hex[:6]}": Person.random(rng) for i in range(REFERRALS)}
    hostile = {topic: _hostile(topic) for topic in INPUT_TOPICS}
    async with httpx.AsyncClient(timeout=30) as client:
        await eventually(
            lambda: metric_value(client, system.url("matching"), "linkwork_matching_index_services"),
            within=90,
            what="matching to index the directory",
        )
        requests = [
            (topics.REFERRAL_REQUESTED, rid.encode(), encode(wrap(p.referral_requested(rid), source=GP_SOURCE)))
            for rid, p in people.items()
        ]
        injected = [(topic, HOSTILE_KEY, value) for topic, values in hostile.items() for value in values]
        await produce(bootstrap, requests[:250] + injected + requests[250:])

        stop = asyncio.Event()
        chaos = asyncio.create_task(_chaos(system, stop, random.Random(7)))
        referral_client = httpx.AsyncClient(base_url=system.url("referral"), timeout=10)
        gate = asyncio.Semaphore(CONCURRENCY)
        close_ids = set(list(people)[: int(REFERRALS * CLOSED_SHARE)])

        async def drive(request_id: str) -> dict[str, Any]:
            async with gate:
                person_rng = random.Random(request_id)
                resilient = ResilientJourney(Journey(referral_client, system.headers, person_rng))
                rid = str(referral_id_for(request_id, GP_SOURCE))
                return await resilient.drive(rid, people[request_id], person_rng, close=request_id in close_ids)

        try:
            finals = await asyncio.gather(*(drive(request_id) for request_id in people))
        finally:
            stop.set()
            restarted = await chaos
            await referral_client.aclose()
        log.info("chaos restarted: %s", restarted)
        assert {"kafka", "postgres"} <= set(restarted) and set(SERVICES) & set(restarted)
        assert [f["state"] for f in finals].count("completed") == len(close_ids)

        await eventually(lambda: _settled(client, system), within=120, interval=1, what=SETTLED)

    # Exactly one suggestion set per referral version; every referral got suggestions.
    sets: dict[tuple[str, int], set[str]] = defaultdict(set)
    for record in await _genuine(bootstrap, topics.MATCHES_SUGGESTED):
        envelope = json.loads(record.value)
        sets[(envelope["data"]["referral_id"], envelope["data"]["referral_version"])].add(envelope["id"])
    doubled = {key: ids for key, ids in sets.items() if len(ids) != 1}
    assert doubled == {}
    referral_ids = {str(referral_id_for(request_id, GP_SOURCE)) for request_id in people}
    assert {rid for rid, _ in sets} >= referral_ids

    # Every plan scheduled one follow-up due today. For people still in their plan it must be emitted exactly
    # once (relay copies share one event id); for people followed up and closed it may have been fulfilled
    # before it fell due, and then never emitted, but never twice.
    open_referrals = {
        str(referral_id_for(request_id, GP_SOURCE)) for request_id in people if request_id not in close_ids
    }

    async def all_due_emitted() -> dict[str, set[str]] | None:
        due: dict[str, set[str]] = defaultdict(set)
        for record in await _genuine(bootstrap, topics.FOLLOW_UP_DUE):
            envelope = json.loads(record.value)
            due[envelope["data"]["referral_id"]].add(envelope["id"])
        return due if open_referrals <= set(due) else None

    due = await eventually(all_due_emitted, within=60, interval=2, what="follow-up-due for every open plan")
    assert all(len(ids) == 1 for ids in due.values()), {rid: ids for rid, ids in due.items() if len(ids) > 1}

    # Every hostile record reached its topic's dead-letter topic; the good ones all went through (above).
    for topic, values in hostile.items():
        dead = {record.value for record in await read_topic(bootstrap, topics.dlq(topic))}
        assert set(values) <= dead, f"{topic}: not dead-lettered: {set(values) - dead}"

    # Outcomes under faults equal a clean rebuild of the same history into a fresh database.
    from linkwork_outcomes.entrypoints.rebuild_projections import run as rebuild

    async with httpx.AsyncClient(timeout=30) as client:
        # The follow-ups that fell due since are facts too; the report is read from the projections, which the
        # projector builds from the facts after the consumer has stored them.
        await eventually(lambda: _settled(client, system), within=120, interval=1, what=SETTLED)
        caught_up_at = datetime.now(UTC).timestamp()
        await eventually(lambda: _projected(client, system, caught_up_at), within=60, interval=1, what=PROJECTED)
        live = await _summary(client, system)
    assert live["funnel"][0]["count"]["value"] == REFERRALS
    admin = await asyncpg.connect(system.infra.postgres.url())
    await admin.execute('CREATE DATABASE "outcomes_clean"')
    await admin.close()
    await rebuild(system.infra.postgres.url("outcomes_clean"), bootstrap, "")
    outcomes = system.services["outcomes"]
    system.kill("outcomes")
    outcomes.env["LINKWORK_DATABASE_URL"] = system.infra.postgres.url("outcomes_clean")
    await asyncio.to_thread(system.restart, "outcomes")
    async with httpx.AsyncClient(timeout=30) as client:
        clean = await _summary(client, system)
    assert clean == live
