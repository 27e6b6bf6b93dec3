"""End-to-end benchmark of the whole system on one machine: every service, Kafka and PostgreSQL together.

1. Latency: referrals POSTed over HTTP at a steady 20/s; for each, the time from sending the request to
   its suggestions being stored in the referral service (`suggestions.received_at`, the start of the
   transaction that stores them: the commit follows within a millisecond or two). p50/p95/p99.
2. Sustained rate: referrals offered at increasing rates for a fixed time each; a rate is sustained when the
   service accepted at least 95% of the offered rate and every referral's suggestions were stored within
   10 s of the last request (no growing backlog). The end-to-end rate is referrals with suggestions
   stored divided by the time from the first request to the last suggestion stored.

    python -m bench.system [--latency-seconds 40] [--rates 25,35,50,75,100,150,200] [--rate-seconds 20] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from linkwork_stack.people import Person
from linkwork_stack.system import SystemUnderTest, auth_header, eventually, load_demo_directory, metric_value

from bench.machine import describe_machine, percentile
from bench.provenance import with_provenance

HERE = Path(__file__).parent


async def _offer(
    client: httpx.AsyncClient, rate: float, seconds: float, rng: random.Random, concurrency: int
) -> dict[str, float]:
    """POST referrals at `rate` per second for `seconds`; return referral id -> send time (epoch seconds)."""
    sent: dict[str, float] = {}
    gate = asyncio.Semaphore(concurrency)
    headers = auth_header("referrer", subject="bench-gp", organisation="Z99001")
    errors = 0

    async def one(person: Person) -> None:
        nonlocal errors
        async with gate:
            at = time.time()
            try:
                response = await client.post("/referrals", json=person.referral_body(), headers=headers)
            except httpx.HTTPError:
                errors += 1
                return
            if response.status_code == 201:
                sent[response.json()["id"]] = at
            else:
                errors += 1

    tasks = []
    start = time.monotonic()
    total = int(rate * seconds)
    for index in range(total):
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(Person.random(rng))))
    await asyncio.gather(*tasks)
    if errors:
        print(f"  {errors} requests failed", flush=True)
    return sent


async def _stored(database_url: str, ids: list[str], within: float) -> dict[str, float]:
    connection = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + within
        while True:
            rows = await connection.fetch(
                "SELECT referral_id::text AS id, extract(epoch FROM received_at) AS at FROM suggestions "
                "WHERE referral_id = ANY($1::uuid[])",
                ids,
            )
            if len(rows) == len(ids) or time.monotonic() > deadline:
                return {row["id"]: float(row["at"]) for row in rows}
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


def _summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms),
        "p50_ms": round(statistics.median(values_ms), 1),
        "p95_ms": round(percentile(values_ms, 95), 1),
        "p99_ms": round(percentile(values_ms, 99), 1),
        "max_ms": round(max(values_ms), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the whole system in a scratch folder, measure, and stop it."""
    results: dict[str, Any] = {"machine": describe_machine(), "command": args.command}
    with tempfile.TemporaryDirectory(prefix="linkwork-bench-system-") as folder:
        Path(folder).chmod(0o755)  # PostgreSQL runs as an unprivileged user and must reach its data
        system = SystemUnderTest(Path(folder))
        system.start()
        try:
            load_demo_directory(system, 2000)
            results.update(asyncio.run(measure(system, args)))
        finally:
            system.stop()
    sustained = [r["offered_per_s"] for r in results["rates"] if r["sustained"]]
    results["highest_sustained_per_s"] = max(sustained, default=0)
    return results


async def measure(system: SystemUnderTest, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=30) as probe:
        await eventually(
            lambda: metric_value(probe, system.url("matching"), "linkwork_matching_index_services"), within=120
        )
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=system.url("referral"), timeout=30, limits=limits) as client:
        referral_db = system.infra.postgres.url("referral")
        print(f"latency: 20 referrals/s for {args.latency_seconds}s", flush=True)
        sent = await _offer(client, 20, args.latency_seconds, rng, args.concurrency)
        stored = await _stored(referral_db, list(sent), within=60)
        latencies = [(stored[rid] - at) * 1000 for rid, at in sent.items() if rid in stored]
        results["latency_at_20_per_s"] = {**_summary(latencies), "missing": len(sent) - len(stored)}
        print(f"  {results['latency_at_20_per_s']}", flush=True)
        results["rates"] = []
        for rate in args.rates:
            print(f"rate: {rate}/s offered for {args.rate_seconds}s", flush=True)
            began = time.time()
            sent = await _offer(client, rate, args.rate_seconds, rng, args.concurrency)
            ended = time.time()
            stored = await _stored(referral_db, list(sent), within=30)
            last = max(stored.values(), default=ended)
            row = {
                "offered_per_s": rate,
                "accepted_per_s": round(len(sent) / (ended - began), 1),
                "end_to_end_per_s": round(len(stored) / (last - began), 1),
                "drain_after_last_request_s": round(last - ended, 2),
                "missing": len(sent) - len(stored),
                "latency": _summary([(stored[r] - a) * 1000 for r, a in sent.items() if r in stored]),
            }
            row["sustained"] = (
                row["accepted_per_s"] >= 0.95 * rate and row["missing"] == 0 and row["drain_after_last_request_s"] <= 10
            )
            results["rates"].append(row)
            print(f"  {row}", flush=True)
            if not row["sustained"]:
                break
    return results


def render(results: dict[str, Any]) -> str:
    latency = results["latency_at_20_per_s"]
    lines = [
        "# Whole-system benchmark",
        "",
        f"Command: `{results['command']}`",
        "",
        f"Machine: {results['machine']}",
        "",
        "## Referral accepted over HTTP → suggestions stored in the referral service, at 20 referrals/s",
        "",
        "| n | p50 | p95 | p99 | max | missing |",
        "|---|---|---|---|---|---|",
        f"| {latency['n']} | {latency['p50_ms']} ms | {latency['p95_ms']} ms | {latency['p99_ms']} ms | "
        f"{latency['max_ms']} ms | {latency['missing']} |",
        "",
        "Target: p99 under 300 ms.",
        "",
        "## Sustained referral rate (HTTP in, suggestions stored)",
        "",
        "| offered/s | accepted/s | end-to-end/s | drain after last request | p50 | p99 | sustained |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results["rates"]:
        lines.append(
            f"| {row['offered_per_s']} | {row['accepted_per_s']} | {row['end_to_end_per_s']} | "
            f"{row['drain_after_last_request_s']} s | {row['latency']['p50_ms']} ms | "
            f"{row['latency']['p99_ms']} ms | {'yes' if row['sustained'] else 'no'} |"
        )
    lines += [
        "",
        f"Highest sustained rate: **{results['highest_sustained_per_s']}/s** (target at least 200/s).",
        "The load generator (Python, httpx) runs on the same two cores as every service, Kafka and PostgreSQL.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.system", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-seconds", type=float, default=40)
    parser.add_argument(
        "--rates", type=lambda s: [float(r) for r in s.split(",")], default=[25, 35, 50, 75, 100, 150, 200]
    )
    parser.add_argument("--rate-seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=48)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--write", action="store_true", help="write results.json and results.md here")
    args = parser.parse_args()
    args.command = "python -m bench.system " + " ".join(
        f"--{k.replace('_', '-')} {v}"
        for k, v in (("latency_seconds", args.latency_seconds), ("rate_seconds", args.rate_seconds))
    )
    results = run(args)
    print(render(results))
    if args.write:
        (HERE / "results.json").write_text(json.dumps(with_provenance(results), indent=2) + "\n")
        (HERE / "results.md").write_text(render(results))


if __name__ == "__main__":
    main()
