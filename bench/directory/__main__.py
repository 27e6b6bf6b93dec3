"""`python -m bench.directory`: latency of `/services` searches over a national-scale directory.

The directory service runs as its own process (as deployed) on a database filled by the demo
generator (`--spread national`: services over English cities by size, about 3,500 of 100,000 in and
around Leeds). Requests are sent one at a time over HTTP with keep-alive from this process; each
latency is the whole request as the client sees it. Searches are measured from the postcodes of the
shipped Leeds sample, with search words link workers use. `--write` records results.md/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from linkwork_contracts.topics import PLAN_AGREED
from linkwork_directory.adapters.demo.generator import sample_places
from linkwork_directory.adapters.service_search import Params, services_sql
from linkwork_directory.domain.search import Origin, ServiceQuery
from linkwork_directory.entrypoints.demo import fill
from linkwork_directory.entrypoints.load_postcodes import SAMPLE
from linkwork_directory.settings import Settings
from linkwork_stack.ports import free_port

from bench.machine import describe_machine as machine
from bench.machine import machine_line
from bench.percentiles import percentile
from bench.provenance import with_provenance

HERE = Path(__file__).parent
WORDS = (
    "walking",
    "singing",
    "debt advice",
    "gardening",
    "carers",
    "coffee",
    "art",
    "football",
    "memory",
    "english conversation",
    "cooking",
    "befriending",
    "choir",
    "volunteering",
    "mindfulness",
    "tech help",
)
SCENARIOS: dict[str, dict[str, Any]] = {
    "postcode + 2 km + text": {"proximity": 2000, "text": True},
    "postcode + 5 km + text": {"proximity": 5000, "text": True},
    "postcode + 2 km": {"proximity": 2000, "text": False},
    "postcode, nearest first + text": {"proximity": None, "text": True},
    "text only (national)": {"postcode": False, "text": True},
}
TARGET = "postcode + 2 km + text"


async def prepare(database_url: str, count: int) -> dict[str, int]:
    admin = await asyncpg.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    name = database_url.rsplit("/", 1)[1]
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    connection = await asyncpg.connect(database_url)
    try:
        have = (
            await connection.fetchval("SELECT count(*) FROM service")
            if await connection.fetchval("SELECT to_regclass('service') IS NOT NULL")
            else 0
        )
    finally:
        await connection.close()
    if have < count:
        print(f"filling {name} with {count} demo services (national spread); this takes a while", file=sys.stderr)
        await fill(Settings(database_url=database_url), count=count, seed=7, spread="national", batch_size=500)
    connection = await asyncpg.connect(database_url)
    try:
        # The service this benchmark starts would publish every queued snapshot to the shared broker.
        await connection.execute("TRUNCATE outbox")
        await connection.execute("ANALYZE")
        return {
            "services": await connection.fetchval("SELECT count(*) FROM service"),
            "locations": await connection.fetchval("SELECT count(*) FROM location"),
            "services_within_5_km_of_leeds_centre": await connection.fetchval(
                "SELECT count(DISTINCT sal.service_id) FROM location l JOIN service_at_location sal"
                " ON sal.location_id = l.id WHERE earth_box(ll_to_earth(53.80, -1.55), 5000) @> l.geo"
                " AND earth_distance(l.geo, ll_to_earth(53.80, -1.55)) <= 5000"
            ),
        }
    finally:
        await connection.close()


async def explain(database_url: str, postcode: str, words: str) -> str:
    connection = await asyncpg.connect(database_url)
    try:
        row = await connection.fetchrow("SELECT latitude, longitude FROM postcode WHERE postcode = $1", postcode)
        query = ServiceQuery(
            text=words, origin=Origin(row["latitude"], row["longitude"], postcode.split()[0]), proximity_m=2000
        )
        params = Params()
        sql, order = services_sql(query, params)
        plan = await connection.fetch(
            f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT *, count(*) OVER () AS total FROM ({sql}) hits"
            f" ORDER BY {order} LIMIT 50",
            *params.values,
        )
        return "\n".join(r[0] for r in plan)
    finally:
        await connection.close()


async def skip_plan_history(kafka: str, group: str) -> None:
    """Start the service's consumer group at the end of plan-agreed: the shared broker holds other runs' plans."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(PLAN_AGREED, p) for p in sorted(consumer.partitions_for_topic(PLAN_AGREED) or [])]
        if partitions:
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in ends.items()})
    finally:
        await consumer.stop()


def start_service(database_url: str, kafka: str, port: int, log: Path, group: str) -> Any:
    import subprocess

    env = {
        **os.environ,
        "LINKWORK_DATABASE_URL": database_url,
        "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": kafka,
        "LINKWORK_HTTP_PORT": str(port),
        "LINKWORK_LOG_LEVEL": "WARNING",
        "LINKWORK_CONSUMER_GROUP": group,
        "LINKWORK_EVENT_SOURCE": "urn:linkwork:directory:bench",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "linkwork_directory"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def wait_ready(base: str, process: Any, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the directory service exited during start-up; see its log")
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the directory service did not become ready")


def params_for(rng: random.Random, scenario: dict[str, Any], postcodes: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {"per_page": 20}
    if scenario.get("postcode", True):
        params["postcode"] = rng.choice(postcodes)
        if scenario["proximity"]:
            params["proximity"] = scenario["proximity"]
    if scenario["text"]:
        params["search"] = rng.choice(WORDS)
    return params


def measure(base: str, scenario: dict[str, Any], postcodes: list[str], requests: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    latencies: list[float] = []
    totals: list[int] = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(max(20, requests // 10)):  # warm caches and connections
            client.get("/services", params=params_for(rng, scenario, postcodes))
        for _ in range(requests):
            params = params_for(rng, scenario, postcodes)
            started = time.perf_counter()
            response = client.get("/services", params=params)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            totals.append(response.json()["total_items"])
    return {
        "requests": requests,
        "median_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2),
        "mean_total_items": round(statistics.mean(totals), 1),
        "median_total_items": statistics.median(totals),
    }


def write(results: dict[str, Any], command: str) -> None:
    (HERE / "results.json").write_text(json.dumps(with_provenance(results), indent=2) + "\n")
    db = results["database"]
    lines = [
        "# Directory benchmark: `/services` search latency",
        "",
        f"Run {results['run_at']} with `{command}`.",
        "",
        f"{machine_line(results['machine'])} PostgreSQL 18 (embedded), Kafka and other engineers' work share the "
        "machine; client, service and database all run on it.",
        "",
        f"Data: {db['services']} services at {db['locations']} locations from "
        "`python -m linkwork_directory.entrypoints.demo --spread national`"
        f" (over English cities by size; {db['services_within_5_km_of_leeds_centre']} services "
        "within 5 km of Leeds centre). Queries from the shipped Leeds postcode sample with random search words; "
        "20 results a page, sequential requests over HTTP keep-alive, after a warm-up.",
        "",
        f"Target: p95 under 50 ms for **{TARGET}**.",
        "",
        "| scenario | requests | median ms | p95 ms | p99 ms | max ms | mean total_items |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results["scenarios"].items():
        marker = f"**{name}**" if name == TARGET else name
        lines.append(
            f"| {marker} | {r['requests']} | {r['median_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['mean_total_items']} |"
        )
    lines += [
        "",
        "Plan of one target query inside PostgreSQL (EXPLAIN ANALYZE):",
        "",
        "```",
        results["plan"],
        "```",
        "",
    ]
    (HERE / "results.md").write_text("\n".join(lines))


async def prepare_all(args: argparse.Namespace) -> tuple[dict[str, int], list[str], str]:
    database = await prepare(args.database_url, args.count)
    postcodes = [place.postcode for place in sample_places(SAMPLE)]
    plan = await explain(args.database_url, postcodes[len(postcodes) // 2], "walking")
    return database, postcodes, plan


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.directory", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DIRECTORY_DATABASE_URL", "postgresql://postgres@127.0.0.1:25432/directory_bench"),
    )
    parser.add_argument("--kafka", default=os.environ.get("LINKWORK_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:29092"))
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1000, help="per scenario")
    parser.add_argument("--write", action="store_true", help="write results.md and results.json")
    args = parser.parse_args()
    database, postcodes, plan = asyncio.run(prepare_all(args))
    port = free_port()
    log = Path("/tmp") / f"bench-directory-{port}.log"
    group = f"bench-directory-{uuid.uuid4().hex[:8]}"
    asyncio.run(skip_plan_history(args.kafka, group))
    process = start_service(args.database_url, args.kafka, port, log, group)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, process)
        results: dict[str, Any] = {
            "run_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "database": database,
            "scenarios": {},
            "plan": plan,
        }
        for n, (name, scenario) in enumerate(SCENARIOS.items()):
            results["scenarios"][name] = measure(base, scenario, postcodes, args.requests, seed=n)
            print(f"{name}: {results['scenarios'][name]}", file=sys.stderr)
    finally:
        process.terminate()
        process.wait(30)
    if args.write:
        write(
            results, "python -m bench.directory --write" + (f" --count {args.count}" if args.count != 100_000 else "")
        )
    target = results["scenarios"][TARGET]
    return 0 if target["p95_ms"] < 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
