"""Latency of POST /match over real HTTP, the service running as its own process with 100k
services loaded from its read model (bulk-written to the table it replays service-changed into)."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from linkwork_matching.adapters import synthetic
from linkwork_matching.app import MIGRATIONS
from linkwork_matching.domain.person import Person
from linkwork_runtime import messaging
from linkwork_runtime.auth import issue_token
from linkwork_runtime.migrations import migrate
from linkwork_stack.databases import scratch_database

from bench.matching.latency import CENTRE, directory, percentiles
from bench.matching.service_process import JWT_SECRET, running_service
from bench.matching.snapshots import service_changed


def body(person: Person) -> dict[str, Any]:
    assert person.location is not None
    return {
        "needs": list(person.needs),
        "age_band": person.age_band,
        "location": {"latitude": person.location.latitude, "longitude": person.location.longitude},
        "travel_mode": person.travel_mode,
        "accessibility_needs": sorted(person.accessibility_needs),
        "languages": sorted(person.languages),
        "interests": list(person.interests),
        "availability": [{"day": d, "part_of_day": p} for d, p in sorted(person.availability)],
        "max_cost_pence": person.max_cost_pence,
        "accepts_waiting_list": person.accepts_waiting_list,
        "limit": 10,
    }


async def load_read_model(database_url: str, services_count: int, seed: int) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection, messaging.service_migrations("matching", MIGRATIONS))
        records = []
        for number, service in enumerate(directory(services_count, seed)):
            event = service_changed(service, number)
            records.append(
                (
                    event.service_id,
                    1,
                    event.status.value,
                    orjson.dumps(event.model_dump(mode="json")).decode(),
                    number + 1,
                )
            )
        await connection.copy_records_to_table(
            "services", records=records, columns=["service_id", "revision", "status", "snapshot", "change_seq"]
        )
        await connection.execute("SELECT setval('service_change_seq', $1)", services_count)
    finally:
        await connection.close()


async def _timed(client: httpx.AsyncClient, url: str, payload: dict[str, Any], headers: dict[str, str]) -> float:
    started = time.perf_counter()
    answer = await client.post(url, json=payload, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    return elapsed


async def measure(
    *,
    postgres: str,
    kafka: str,
    services_count: int = 100_000,
    requests: int = 1000,
    concurrency: int = 8,
    seed: int = 1,
) -> dict[str, object]:
    rng = random.Random(seed + 2)
    bodies = [body(synthetic.person(rng, CENTRE, radius_km=10.0)) for _ in range(requests + 50)]
    token = issue_token(JWT_SECRET, subject="bench", role="link_worker", pcn="U99999")
    headers = {"Authorization": f"Bearer {token}"}
    async with scratch_database(postgres, "bench_matching") as database_url:
        await load_read_model(database_url, services_count, seed)
        log = Path(tempfile.gettempdir()) / f"bench-matching-{uuid.uuid4().hex[:6]}.log"
        async with (
            running_service(database_url, kafka, f"bench-{uuid.uuid4().hex[:8]}-", log) as (base, start_seconds),
            httpx.AsyncClient(base_url=base, timeout=30) as client,
        ):
            for payload in bodies[:50]:
                await _timed(client, "/match", payload, headers)
            sequential = [await _timed(client, "/match", p, headers) for p in bodies[50:]]
            queue = list(bodies[50:])
            concurrent: list[float] = []

            async def worker() -> None:
                while queue:
                    concurrent.append(await _timed(client, "/match", queue.pop(), headers))

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
    return {
        "services": services_count,
        "start_until_serving_seconds_including_index_load": round(start_seconds, 1),
        "post_match_one_client": percentiles(sequential),
        f"post_match_{concurrency}_clients": {
            **percentiles(concurrent),
            "requests_per_s": round(len(concurrent) / elapsed, 1),
        },
    }
