"""Referral service benchmark (not a test): HTTP intake and the outbox path to Kafka, and the
follow-up scheduler's throughput, against a real PostgreSQL and Kafka with the service running as
its own process.

    .venv/bin/python bench/referral/bench_referral.py \
        --kafka 127.0.0.1:29092 --postgres postgresql://postgres@127.0.0.1:25432/postgres

Measures:
1. POST /referrals at a fixed rate (default 20/s, the brief's figure): HTTP latency, and the time
   from sending the request to its `referral-created` event arriving on Kafka.
2. POST /referrals at full speed with N concurrent clients: throughput and latency.
3. Follow-up scheduler: K follow-ups due at once, time until every `follow-up-due` is on Kafka.
Results go to stdout and, with --write, to bench/referral/results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

# Run as a script (python bench/referral/bench_referral.py): the repository root makes `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from aiokafka.errors import TopicAlreadyExistsError
from linkwork_contracts import topics
from linkwork_contracts.codes import (
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    NeedCategory,
    Sex,
)
from linkwork_contracts.measures import Timepoint, Ucla3Result
from linkwork_referral.adapters.repository import ReferralRepository
from linkwork_referral.adapters.samples import gp_referral, referral_body, synthetic_nhs_number
from linkwork_referral.app import MIGRATIONS, NAME
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.records import Assessment, Contact, PlanActivity, ScheduledFollowUp
from linkwork_referral.domain.referral import Referral, Referrer
from linkwork_runtime import messaging
from linkwork_runtime.auth import issue_token
from linkwork_runtime.database import open_database
from linkwork_stack.ports import free_port

from bench.machine import describe_machine, machine_line
from bench.percentiles import percentile
from bench.provenance import with_provenance

HERE = Path(__file__).parent
SECRET = "referral-benchmark-jwt-secret-0123456789abcdef"
ZONE = ZoneInfo("Europe/London")


def summary(name: str, values: list[float]) -> dict[str, Any]:
    ms = [v * 1000 for v in values]
    return {
        "what": name,
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
    }


async def _ensure_topic(bootstrap: str, topic: str) -> None:
    """On a fresh broker the service has not created the topic yet; watching needs its partitions now."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        await admin.close()


class KafkaWatch:
    """Arrival times of events on a topic, by key, from the topic's current end."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.arrivals: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await _ensure_topic(self.bootstrap, self.topic)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await self._consumer.start()
        await self._consumer._client.force_metadata_update()
        partitions = [TopicPartition(self.topic, p) for p in self._consumer.partitions_for_topic(self.topic) or ()]
        self._consumer.assign(partitions)
        for tp, offset in (await self._consumer.end_offsets(partitions)).items():
            self._consumer.seek(tp, offset)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            for records in (await self._consumer.getmany(timeout_ms=50)).values():
                now = time.perf_counter()
                for record in records:
                    self.arrivals.setdefault((record.key or b"").decode(), now)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()


async def fixed_rate(base: str, bootstrap: str, rate: float, seconds: float) -> list[dict[str, Any]]:
    watch = KafkaWatch(bootstrap, topics.REFERRAL_CREATED)
    await watch.start()
    headers = {"Authorization": f"Bearer {issue_token(SECRET, subject='bench-gp', role='referrer', pcn='U00001')}"}
    sent: dict[str, float] = {}
    latencies: list[float] = []
    rng = random.Random(1)
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def one() -> None:
            started = time.perf_counter()
            response = await http.post("/referrals", json=referral_body(synthetic_nhs_number(rng)), headers=headers)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
            sent[response.json()["id"]] = started

        tasks = []
        begin = time.perf_counter()
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, begin + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        if set(sent) <= set(watch.arrivals):
            break
        await asyncio.sleep(0.1)
    await watch.stop()
    to_kafka = [watch.arrivals[k] - sent[k] for k in sent if k in watch.arrivals]
    return [
        summary(f"POST /referrals at {rate:g}/s: HTTP latency", latencies),
        summary(f"POST /referrals at {rate:g}/s: request sent -> referral-created on Kafka", to_kafka),
    ]


async def full_speed(base: str, total: int, clients: int) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {issue_token(SECRET, subject='bench-gp', role='referrer', pcn='U00001')}"}
    rng = random.Random(2)
    bodies = [referral_body(synthetic_nhs_number(rng)) for _ in range(total)]
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def worker() -> None:
            while bodies:
                body = bodies.pop()
                started = time.perf_counter()
                response = await http.post("/referrals", json=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 201

        begin = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - begin
    result = summary(f"POST /referrals, {clients} concurrent clients: HTTP latency", latencies)
    result["throughput_per_s"] = round(total / elapsed, 1)
    return [result]


def planned(now: datetime, rng: random.Random) -> Referral:
    person = Person(
        "Bench",
        "Person",
        synthetic_nhs_number(rng),
        datetime(1960, 1, 1).date(),
        Sex.FEMALE,
        postcode="LS6 1AA",
        phone="0113 496 0000",
    )
    referral = Referral.create(
        gp_referral(
            person,
            (NeedCategory.HOUSING,),
            now,
            pcn="U00001",
            referrer=Referrer("Z99001", subject="bench-gp"),
            practice_ods_code=None,
        )
    )
    referral.accept("lw-1", now)
    referral.log_contact(
        Contact(uuid4(), ContactKind.FIRST_CONTACT, DeliveryMode.TELEPHONE, now, ContactOutcome.CONTACT_MADE, "lw-1"),
        now,
    )
    baseline = Ucla3Result.from_items([3, 3, 3], recorded_at=now, timepoint=Timepoint.BASELINE)
    referral.record_assessment(Assessment((NeedCategory.HOUSING,), (baseline,), now, "lw-1"), now)
    referral.agree_plan(
        goals=["g"],
        needs_addressed=[NeedCategory.HOUSING],
        activities=[PlanActivity(uuid4(), NeedCategory.HOUSING)],
        follow_ups=[ScheduledFollowUp(uuid4(), 0, ContactKind.FOLLOW_UP, now.astimezone(ZONE).date())],
        referral_version=None,
        by="lw-1",
        now=now,
    )
    referral.take_events()
    return referral


async def scheduler(database_url: str, bootstrap: str, count: int, start: Any) -> list[dict[str, Any]]:
    pool = await open_database(database_url, messaging.service_migrations(NAME, MIGRATIONS))
    rng, now = random.Random(3), datetime.now(UTC)
    async with pool.acquire() as connection, connection.transaction():
        repository = ReferralRepository(connection, ZONE)
        for _ in range(count):
            referral = planned(now, rng)
            await repository.add(referral, "0" * 64)
            await repository.save(referral)
    await pool.close()
    watch = KafkaWatch(bootstrap, topics.FOLLOW_UP_DUE)
    await watch.start()
    connection = await asyncpg.connect(database_url)
    began = time.perf_counter()
    process = start({"LINKWORK_FOLLOW_UP_MAX_PER_SECOND": "100000", "LINKWORK_FOLLOW_UP_BATCH_SIZE": "200"})
    try:
        while True:
            pending = await connection.fetchval("SELECT count(*) FROM follow_ups WHERE state = 'pending'")
            if pending == 0 and await connection.fetchval("SELECT count(*) FROM outbox") == 0:
                break
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - began
    finally:
        process.terminate()
        process.wait(timeout=30)
        await connection.close()
        await watch.stop()
    return [
        {
            "what": f"scheduler: {count} follow-ups due at start-up, process start -> all published",
            "seconds": round(elapsed, 2),
            "follow_ups_per_s_including_start_up": round(count / elapsed, 1),
        }
    ]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kafka", default=os.environ.get("LINKWORK_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LINKWORK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/postgres"),
    )
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--total", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--follow-ups", type=int, default=2000)
    parser.add_argument("--write", action="store_true")
    options = parser.parse_args()
    machine = describe_machine()  # before the run, for its load average at the start

    name = f"bench_referral_{uuid4().hex[:8]}"
    admin = await asyncpg.connect(options.postgres)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    database_url = options.postgres.rsplit("/", 1)[0] + f"/{name}"
    port = free_port()

    def start(extra: dict[str, str]) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "LINKWORK_DATABASE_URL": database_url,
            "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": options.kafka,
            "LINKWORK_HTTP_PORT": str(port),
            "LINKWORK_JWT_SECRET": SECRET,
            "LINKWORK_LOG_LEVEL": "WARNING",
            "LINKWORK_CONSUMER_GROUP_PREFIX": f"{name}",
            "LINKWORK_FOLLOW_UP_POLL_SECONDS": "0.5",
            **extra,
        }
        return subprocess.Popen(
            [sys.executable, "-m", "linkwork_referral"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    results: list[dict[str, Any]] = []
    try:
        # The scheduler first, on an empty service database (its start-up is part of what is timed).
        results += await scheduler(database_url, options.kafka, options.follow_ups, start)
        service = start({})
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient() as http:
                while True:
                    try:
                        if (await http.get(f"{base}/ready")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.2)
            results += await fixed_rate(base, options.kafka, options.rate, options.seconds)
            results += await full_speed(base, options.total, options.clients)
        finally:
            service.terminate()
            service.wait(timeout=30)
    finally:
        admin = await asyncpg.connect(options.postgres)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    command = "python bench/referral/bench_referral.py " + " ".join(sys.argv[1:])
    summary = {"machine": machine, "command": command, "results": results}
    print(json.dumps(summary, indent=2))
    if options.write:
        (HERE / "results.json").write_text(json.dumps(with_provenance(summary), indent=2) + "\n")
        rows = "\n".join(
            f"| {r['what']} | " + ", ".join(f"{k} {v}" for k, v in r.items() if k != "what") + " |" for r in results
        )
        (HERE / "results.md").write_text(
            f"# Referral service benchmark\n\nRun {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n\n"
            f"{machine_line(machine)} Kafka, PostgreSQL and the service run on it (shared with other "
            "work).\n\n"
            f"Command: `{command}`\n\n| measure | result |\n|---|---|\n{rows}\n"
        )


if __name__ == "__main__":
    asyncio.run(main())
