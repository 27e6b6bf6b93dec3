"""Rebuilding the read model from Kafka: N service-changed snapshots on a compacted topic, a
service started on an empty database, time until every snapshot is in its read model."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from linkwork_contracts import topics
from linkwork_contracts.envelope import CONTENT_TYPE, encode, wrap

from bench.matching.latency import directory
from bench.matching.service_process import fresh_database, running_service
from bench.matching.snapshots import service_changed


async def publish_directory(kafka: str, topic: str, services_count: int, seed: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(topic, num_partitions=4, replication_factor=1, topic_configs={"cleanup.policy": "compact"})]
        )
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka, acks="all", enable_idempotence=True, linger_ms=20, max_batch_size=256 * 1024
    )
    await producer.start()
    try:
        pending = []
        for number, service in enumerate(directory(services_count, seed)):
            event = service_changed(service, number)
            envelope = wrap(event, source="urn:linkwork:bench")
            pending.append(
                await producer.send(
                    topic, encode(envelope), key=event.key().encode(), headers=[("content-type", CONTENT_TYPE.encode())]
                )
            )
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def measure(*, postgres: str, kafka: str, services_count: int = 100_000, seed: int = 1) -> dict[str, object]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    await publish_directory(kafka, prefix + topics.SERVICE_CHANGED, services_count, seed)
    async with fresh_database(postgres) as database_url:
        log = Path(tempfile.gettempdir()) / f"bench-matching-replay-{uuid.uuid4().hex[:6]}.log"
        started = time.perf_counter()
        # The service answers HTTP only once its read model has caught up with the topic.
        async with running_service(database_url, kafka, prefix, log) as (_, serving_seconds):
            connection = await asyncpg.connect(database_url)
            try:
                stored = await connection.fetchval("SELECT count(*) FROM services")
            finally:
                await connection.close()
        elapsed = time.perf_counter() - started
    del elapsed
    return {
        "snapshots": services_count,
        "stored_in_read_model": stored,
        "process_start_until_caught_up_and_indexed_seconds": round(serving_seconds, 1),
        "snapshots_per_s_including_start_up": round(services_count / serving_seconds),
    }
