"""Projection rebuild throughput: replaying Kafka history into a fresh database.

Setup (not timed): a synthetic history (the same generator the tests use) is published to fresh
topics with three partitions each. Timed: `python -m linkwork_outcomes.entrypoints.rebuild_projections` as its own
process, from emptying the tables to the last summary projected; its own clock splits the time
into replay (Kafka -> decoded events -> facts) and projection (facts -> summaries -> cells).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from aiokafka.admin import NewTopic
from linkwork_contracts.envelope import encode
from linkwork_outcomes.adapters.event_facts import CONSUMED
from linkwork_outcomes.adapters.synthetic.history import generate
from linkwork_outcomes.entrypoints.rebuild_projections import command

from bench.kafka import bulk_producer, create_topics


@dataclass
class Run:
    records: int
    replay_seconds: float
    projection_seconds: float

    @property
    def records_per_second(self) -> float:
        return self.records / (self.replay_seconds + self.projection_seconds)


async def publish(bootstrap: str, referrals: int, seed: int = 1) -> tuple[str, dict[str, object]]:
    """Publish a history of `referrals` referrals to new topics; returns their prefix and a description."""
    started = time.perf_counter()
    history = generate(seed, referrals=referrals, pcns=20, days=365, service_count=400)
    generated = time.perf_counter() - started
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    await create_topics(
        bootstrap, [NewTopic(prefix + t.TOPIC, num_partitions=3, replication_factor=1) for t in CONSUMED]
    )
    async with bulk_producer(bootstrap) as producer:
        sizes = 0
        futures = []
        for event, envelope in history.events:
            value = encode(envelope)
            sizes += len(value)
            futures.append(await producer.send(prefix + event.TOPIC, value, key=event.key().encode()))
        await asyncio.gather(*futures)
    by_topic = Counter(event.TOPIC for event, _ in history.events)
    return prefix, {
        "referrals": referrals,
        "events": len(history.events),
        "mean_event_bytes": round(sizes / len(history.events)),
        "events_by_topic": dict(sorted(by_topic.items())),
        "seconds_to_generate": round(generated, 1),
    }


def rebuild(database_url: str, bootstrap: str, prefix: str) -> Run:
    finished = subprocess.run(
        command(database_url, bootstrap, prefix),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    return Run(result["records"], result["seconds"]["replay"], result["seconds"]["projection"])
