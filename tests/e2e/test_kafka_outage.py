"""A Kafka outage does not stop the referral API: referrals are accepted, and published once Kafka is back.

The referral service runs as a real process against its own Kafka broker and PostgreSQL (a broker of its
own, because this test stops it). With the broker stopped, `POST /referrals` must still answer 201 and
`/ready` must stay 200 while saying Kafka is unreachable; after the broker restarts, the outbox relay must
publish each referral's `referral-created` event exactly once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from linkwork_contracts import topics
from linkwork_stack.infrastructure import Infrastructure
from linkwork_stack.people import Person
from linkwork_stack.ports import free_port
from linkwork_stack.services import ServiceProcess, wait_until_ready
from linkwork_stack.system import JWT_SECRET, PERSON_REF_SECRET, auth_header, eventually
from linkwork_stack.topic_reader import read_topic

pytestmark = pytest.mark.e2e
DURING_OUTAGE = 3


@pytest.fixture(scope="module")
def running(server_dir: Callable[[str], Path]) -> Iterator[tuple[Infrastructure, ServiceProcess]]:
    root = server_dir("kafka-outage")
    infra = Infrastructure.under(root / "data", free_port(), free_port(), free_port())
    infra.start()
    port = free_port()
    referral = ServiceProcess(
        "referral",
        port,
        {
            "LINKWORK_DATABASE_URL": infra.postgres.url("referral"),
            "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": infra.kafka.bootstrap,
            "LINKWORK_HTTP_PORT": str(port),
            "LINKWORK_JWT_SECRET": JWT_SECRET,
            "LINKWORK_PERSON_REF_SECRET": PERSON_REF_SECRET,
        },
    )
    with (root / "referral.log").open("a") as log:
        referral.start(log)
        try:
            wait_until_ready([referral], 120)
            yield infra, referral
        finally:
            referral.stop()
            infra.stop()


def _referrer(person: Person) -> dict[str, str]:
    return auth_header("referrer", subject=f"gp-{person.practice}", organisation=person.practice)


async def _created_counts(bootstrap: str) -> Counter[str]:
    """How many referral-created events each referral id has on the topic."""
    records = await read_topic(bootstrap, topics.REFERRAL_CREATED)
    return Counter(record.key.decode() for record in records if record.key)  # keyed by referral id


async def test_referrals_are_accepted_during_an_outage_and_published_once_after(
    running: tuple[Infrastructure, ServiceProcess],
) -> None:
    infra, referral = running
    rng = random.Random(12)
    async with httpx.AsyncClient(base_url=referral.url, timeout=30) as client:
        # One referral before the outage: the topic exists and the relay has published at least once.
        before = Person.random(rng)
        first = await client.post("/referrals", json=before.referral_body(), headers=_referrer(before))
        assert first.status_code == 201, first.text
        first_id = first.json()["id"]

        async def published_first() -> bool:
            return (await _created_counts(infra.kafka.bootstrap))[first_id] == 1

        await eventually(published_first, within=60, what="the first referral-created event")

        infra.kafka.stop()
        accepted = []
        for _ in range(DURING_OUTAGE):
            person = Person.random(rng)
            response = await client.post("/referrals", json=person.referral_body(), headers=_referrer(person))
            assert response.status_code == 201, response.text
            accepted.append(response.json()["id"])

        ready = await client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": True, "kafka": False}

        async def backlog() -> int:
            connection = await asyncpg.connect(infra.postgres.url("referral"))
            try:
                return int(
                    await connection.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", topics.REFERRAL_CREATED)
                )
            finally:
                await connection.close()

        assert await backlog() >= DURING_OUTAGE, "the referrals' events wait in the outbox"

        infra.kafka.start()

        async def drained() -> bool:
            return await backlog() == 0

        await eventually(drained, within=120, what="the outbox relay to publish the backlog")
        ready = await client.get("/ready")
        assert ready.json()["checks"] == {"database": True, "kafka": True}

    counts = await _created_counts(infra.kafka.bootstrap)
    assert {rid: counts[rid] for rid in [first_id, *accepted]} == dict.fromkeys([first_id, *accepted], 1)
