"""Rebuilding the read model from Kafka: N service-changed snapshots on a compacted topic, a
service started on an empty database, time until every snapshot is in its read model."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import NewTopic
from linkwork_contracts import topics
from linkwork_contracts.envelope import CONTENT_TYPE, encode, wrap
from linkwork_stack.databases import scratch_database

from bench.kafka import bulk_producer, create_topics
from bench.matching.latency import directory
from bench.matching.service_process import running_service
from bench.matching.snapshots import service_changed


async def publish_directory(kafka: str, topic: str, services_count: int, seed: int) -> None:
    compacted = {"cleanup.policy": "compact"}
    await create_topics(kafka, [NewTopic(topic, num_partitions=4, replication_factor=1, topic_configs=compacted)])
    async with bulk_producer(kafka) as producer:
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


async def measure(
    *, postgres: str, kafka: str, services_count: int = 100_000, seed: int = 1, profile: Path | None = None
) -> dict[str, object]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    await publish_directory(kafka, prefix + topics.SERVICE_CHANGED, services_count, seed)
    async with scratch_database(postgres, "bench_matching") as database_url:
        log = Path(tempfile.gettempdir()) / f"bench-matching-replay-{uuid.uuid4().hex[:6]}.log"
        started = time.perf_counter()
        # The service answers HTTP only once its read model has caught up with the topic.
        async with running_service(database_url, kafka, prefix, log, profile=profile) as (base, serving_seconds):
            async with httpx.AsyncClient() as client:
                exposition = (await client.get(f"{base}/metrics", timeout=10)).text
            connection = await asyncpg.connect(database_url)
            try:
                stored = await connection.fetchval("SELECT count(*) FROM services")
                database_cpu = await _backends_cpu_seconds(connection)
            finally:
                await connection.close()
        elapsed = time.perf_counter() - started
    del elapsed
    replay_records, replay_seconds = _gauge(exposition, "records"), _gauge(exposition, "seconds")
    replay_cpu = _gauge(exposition, "cpu_seconds")
    return {
        "snapshots": services_count,
        "stored_in_read_model": stored,
        # The rebuild itself: the service's start-up replay, from its first fetch from Kafka to its
        # last offset commit after the read model's transaction (as the service reports it).
        "rebuild_records": int(replay_records),
        "rebuild_seconds": round(replay_seconds, 2),
        "rebuild_events_per_s": round(replay_records / replay_seconds) if replay_seconds else 0,
        # The service's own CPU time over the replay: Kafka and PostgreSQL work on the other core, so
        # this says how fast the service could go on a quiet machine (a shared machine stretches the wall time).
        "rebuild_service_cpu_seconds": round(replay_cpu, 2),
        "rebuild_service_cpu_us_per_event": round(1e6 * replay_cpu / replay_records, 1) if replay_records else 0,
        # Everything a fresh replica does before it answers: interpreter and imports, migrations,
        # joining Kafka, the replay, loading the in-memory index from the read model.
        # CPU of the PostgreSQL backends serving the service's database since it started (the replay's
        # upserts, the index load's reads, migrations); None when PostgreSQL's processes are not visible here.
        "database_cpu_seconds_during_start_up": None if database_cpu is None else round(database_cpu, 2),
        "process_start_until_caught_up_and_indexed_seconds": round(serving_seconds, 1),
        "snapshots_per_s_including_start_up": round(services_count / serving_seconds),
    }


async def _backends_cpu_seconds(connection: asyncpg.Connection) -> float | None:
    """User and system CPU of the other backends connected to this database, read from /proc."""
    rows = await connection.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return _cpu_seconds([row["pid"] for row in rows])


def _cpu_seconds(pids: list[int]) -> float | None:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            name, rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
        except OSError:
            return None  # PostgreSQL runs elsewhere (a container, another host)
        if "postgres" not in name:
            return None
        fields = rest.split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _gauge(exposition: str, what: str) -> float:
    name = f"linkwork_matching_read_model_replay_{what} "
    for line in exposition.splitlines():
        if line.startswith(name):
            return float(line.removeprefix(name))
    raise ValueError(f"the service's /metrics has no {name.strip()}")
