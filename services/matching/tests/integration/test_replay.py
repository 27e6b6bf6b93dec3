"""The start-up replay of service-changed (many snapshots per statement) keeps the read model's rules:
the highest revision of each service wins whatever the order and batching, withdrawn services stay,
a record that does not decode goes to the dead-letter topic with its reason without holding up the
rest, and the consumer runner takes over after the replay's committed offsets."""

import random
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from linkwork_contracts import topics
from linkwork_contracts.codes import ServiceStatus
from linkwork_contracts.events import ServiceChangedV1
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_matching.workers import read_model_replay
from linkwork_runtime.messaging.dead_letters.topic import read as read_dead_letters
from linkwork_runtime.testing import running_app

from .builders import snapshot
from .conftest import FAST_RETRY
from .kafka_support import eventually, publish

pytestmark = pytest.mark.integration


def shuffled_history(rng: random.Random) -> tuple[list[ServiceChangedV1], dict[UUID, ServiceChangedV1]]:
    """Forty services, up to four revisions each, published out of order; some end withdrawn."""
    events: list[ServiceChangedV1] = []
    for number in range(40):
        service_id = UUID(int=rng.getrandbits(128))
        for revision in range(1, rng.randint(1, 4) + 1):
            withdrawn = revision > 1 and rng.random() < 0.3
            status = ServiceStatus.WITHDRAWN if withdrawn else ServiceStatus.ACTIVE
            events.append(snapshot(service_id, name=f"Activity {number} r{revision}", revision=revision, status=status))
    rng.shuffle(events)  # a stale revision after a newer one must not win
    newest: dict[UUID, ServiceChangedV1] = {}
    for event in events:
        if event.service_id not in newest or newest[event.service_id].revision < event.revision:
            newest[event.service_id] = event
    return events, newest


async def publish_raw(bootstrap: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"poison")
    finally:
        await producer.stop()


@pytest.mark.parametrize("batch_records", [7, 5000])
async def test_replay_keeps_the_newest_revision_and_dead_letters_what_does_not_decode(
    settings: Settings, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch, batch_records: int
) -> None:
    monkeypatch.setattr(read_model_replay, "BATCH_RECORDS", batch_records)
    topic = settings.topic_prefix + topics.SERVICE_CHANGED
    events, newest = shuffled_history(random.Random(batch_records))
    await publish(kafka_bootstrap, topic, events[:30])
    await publish_raw(kafka_bootstrap, topic, b"not a CloudEvent")
    await publish(kafka_bootstrap, topic, events[30:])

    app = build_app(settings, retry=FAST_RETRY)
    async with running_app(app) as http:
        pool = app.state.context.pool
        rows = {r["service_id"]: r for r in await pool.fetch("SELECT service_id, revision, status FROM services")}
        assert {sid: (r["revision"], r["status"]) for sid, r in rows.items()} == {
            sid: (e.revision, e.status.value) for sid, e in newest.items()
        }
        metrics = (await http.get("/metrics")).text
        assert f"linkwork_matching_read_model_replay_records {float(len(events) + 1)}" in metrics

        # The runner carries on after the replay: a later revision arrives through it, an older one does not.
        some_id = next(iter(newest))
        later = snapshot(some_id, name="Renamed", revision=newest[some_id].revision + 1)
        await publish(kafka_bootstrap, topic, [later, snapshot(some_id, name="Stale", revision=1)])

        async def renamed() -> bool:
            row = await pool.fetchrow("SELECT revision, snapshot FROM services WHERE service_id = $1", some_id)
            return bool(row["revision"] == later.revision and row["snapshot"]["name"] == "Renamed")

        await eventually(renamed, within=30, what="the later revision applied by the runner")

    letters = await read_dead_letters(settings.kafka, topics.dlq(topic))
    assert [(letter.value, letter.failure.error_type) for letter in letters] == [
        (b"not a CloudEvent", "MalformedEvent")
    ]
