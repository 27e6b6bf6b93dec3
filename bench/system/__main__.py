"""End-to-end benchmark of the whole system on one machine: every service, Kafka and PostgreSQL together.

1. Latency: referrals POSTed over HTTP at a steady 20/s; for each, the time from sending the request to
   its suggestions being stored in the referral service (`suggestions.received_at`, the start of the
   transaction that stores them: the commit follows within a millisecond or two). p50/p95/p99.
2. Sustained rate: referrals offered at increasing rates for a fixed time each; a rate is sustained when the
   service accepted at least 95% of the offered rate and every referral's suggestions were stored within
   10 s of the last request (no growing backlog). The end-to-end rate is referrals with suggestions
   stored divided by the time from the first request to the last suggestion stored.

   The ladder stops at the first rate not sustained, except that 50, 100 and 150/s are always measured
   (labelled when not sustained): the memory and cost figures below are stated at those rates.
3. Memory (bench/system/resources.py): each part's resident memory when idle (after start-up and the
   directory load, before any referral) and its peak during every rate step; the whole stack's total.
4. Cost per event: each part's CPU seconds over every step (first request to last suggestion stored), and
   the step's referrals (with suggestions stored) per CPU-second of that part.
5. `--profile RATE`: py-spy records every Python service during that rate's step, as flame graphs in
   bench/profiles/<service>.svg (py-spy from PyPI must be installed; the step's figures are then labelled).

    python -m bench.system [--latency-seconds 40] [--rates 25,35,50,75,100,150,200] [--rate-seconds 20]
                           [--profile 100] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from linkwork_stack.people import Person
from linkwork_stack.system import SystemUnderTest, auth_header, eventually, load_demo_directory, metric_value

from bench.machine import describe_machine, machine_line
from bench.percentiles import percentile
from bench.provenance import with_provenance
from bench.system.load import PostClient, ProtocolError
from bench.system.resources import Part, StepMonitor, cpu_seconds, snapshot

HERE = Path(__file__).parent
PROFILES = HERE.parent / "profiles"
# Always measured, even after a rate that was not sustained: memory is budgeted at 100/s, cost at 50 and 150/s.
ALWAYS = (50.0, 100.0, 150.0)


async def _offer(client: PostClient, rate: float, seconds: float, rng: random.Random) -> dict[str, float]:
    """POST referrals at `rate` per second for `seconds`; return referral id -> send time (epoch seconds).
    Every request is encoded before the first is sent, so the step measures the system, not the encoding."""
    headers = auth_header("referrer", subject="bench-gp", organisation="Z99001")
    requests = [
        client.encode("/referrals", Person.random(rng).referral_body(), headers) for _ in range(int(rate * seconds))
    ]
    sent: dict[str, float] = {}
    errors: collections.Counter[str] = collections.Counter()

    async def one(request: bytes) -> None:
        at = time.time()
        try:
            status, body = await client.post(request)
        except (OSError, ProtocolError, asyncio.IncompleteReadError) as error:
            errors[type(error).__name__] += 1
            return
        if status == 201 and body is not None:
            sent[str(body["id"])] = at
        else:
            errors[f"HTTP {status}"] += 1

    tasks = []
    start = time.monotonic()
    for index, request in enumerate(requests):
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(request)))
    await asyncio.gather(*tasks)
    if errors:
        print(f"  {errors.total()} requests failed: {dict(errors)}", flush=True)
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
    if not values_ms:
        return {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
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
    results["highest_sustained_per_s"] = highest_sustained(results["rates"])
    return results


def parts(system: SystemUnderTest) -> list[Part]:
    """Every process tree of the system under test (it starts no Keycloak: services take HS256 tokens)."""
    found = [
        Part(name, service.process.pid, python_service=True)
        for name, service in system.services.items()
        if service.process is not None
    ]
    for name, server in (("kafka", system.infra.kafka), ("postgresql", system.infra.postgres)):
        if server.process is not None:
            found.append(Part(name, server.process.pid, python_service=False))
    return found


def _profilers(system: SystemUnderTest, seconds: float) -> list[subprocess.Popen[bytes]]:
    """py-spy on every Python service for `seconds`, written to bench/profiles/<service>.svg."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not os.access(py_spy, os.X_OK):
        raise SystemExit("--profile needs py-spy (from PyPI) in the virtual environment: pip install py-spy")
    PROFILES.mkdir(exist_ok=True)
    return [
        subprocess.Popen(
            [
                py_spy, "record", "--pid", str(service.process.pid), "--format", "flamegraph",
                "-o", str(PROFILES / f"{name}.svg"), "--duration", str(int(seconds)), "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, service in system.services.items()
        if service.process is not None
    ]  # fmt: skip


async def measure(system: SystemUnderTest, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=30) as probe:
        await eventually(
            lambda: metric_value(probe, system.url("matching"), "linkwork_matching_index_services"), within=120
        )
    measured = parts(system)
    await asyncio.sleep(5)  # start-up's last consumer polls and the directory's relay settle
    results["idle_memory"] = snapshot(measured)
    print(f"idle memory: {results['idle_memory']}", flush=True)
    client = PostClient(system.url("referral"), args.concurrency)
    try:
        referral_db = system.infra.postgres.url("referral")
        print(f"latency: 20 referrals/s for {args.latency_seconds}s", flush=True)
        sent = await _offer(client, 20, args.latency_seconds, rng)
        stored = await _stored(referral_db, list(sent), within=60)
        latencies = [(stored[rid] - at) * 1000 for rid, at in sent.items() if rid in stored]
        results["latency_at_20_per_s"] = {**_summary(latencies), "missing": len(sent) - len(stored)}
        print(f"  {results['latency_at_20_per_s']}", flush=True)
        results["rates"] = []
        failed = False
        for rate in args.rates:
            if failed and rate not in ALWAYS:
                continue
            print(f"rate: {rate}/s offered for {args.rate_seconds}s", flush=True)
            # At least 30 s of samples: on a busy machine the step lasts longer than its sending time anyway.
            profiling = _profilers(system, max(args.rate_seconds, 30)) if args.profile == rate else []
            generator_cpu = cpu_seconds(os.getpid())
            with StepMonitor(measured) as monitor:
                began = time.time()
                sent = await _offer(client, rate, args.rate_seconds, rng)
                ended = time.time()
                stored = await _stored(referral_db, list(sent), within=30)
            for profiler in profiling:
                profiler.wait()
            last = max(stored.values(), default=ended)
            row = {
                "offered_per_s": rate,
                "accepted_per_s": round(len(sent) / (ended - began), 1),
                "end_to_end_per_s": round(len(stored) / (last - began), 1),
                "drain_after_last_request_s": round(last - ended, 2),
                "missing": len(sent) - len(stored),
                "latency": _summary([(stored[r] - a) * 1000 for r, a in sent.items() if r in stored]),
                "resources": monitor.result(len(stored)),
                "load_generator_cpu_s": round(cpu_seconds(os.getpid()) - generator_cpu, 2),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "profiled": bool(profiling),
            }
            row["sustained"] = (
                row["accepted_per_s"] >= 0.95 * rate and row["missing"] == 0 and row["drain_after_last_request_s"] <= 10
            )
            results["rates"].append(row)
            print(f"  {row}", flush=True)
            failed = failed or not row["sustained"]
    finally:
        client.close()
    return results


def highest_sustained(rates: list[dict[str, Any]]) -> float:
    """The highest rate of the ladder below which every rate was sustained too (a later lucky step does not count)."""
    highest = 0.0
    for row in rates:
        if not row["sustained"]:
            break
        highest = row["offered_per_s"]
    return highest


def at_rate(results: dict[str, Any], rate: float) -> dict[str, Any] | None:
    return next((row for row in results["rates"] if row["offered_per_s"] == rate), None)


def _label(row: dict[str, Any]) -> str:
    notes = [] if row["sustained"] else ["not sustained"]
    notes += ["profiled"] if row.get("profiled") else []
    return f"{row['offered_per_s']:g}/s" + (f" ({', '.join(notes)})" if notes else "")


def render_resources(results: dict[str, Any]) -> list[str]:
    idle = results["idle_memory"]
    steps = [row for rate in ALWAYS if (row := at_rate(results, rate)) is not None]
    lines = [
        "",
        "## Memory: resident set (VmRSS of the process tree), MB (10⁶ bytes)",
        "",
        "Idle is after start-up and the directory load, before any referral; a rate's figure is the peak "
        "sampled every 0.5 s from its first request to its last suggestion stored. PostgreSQL's figure counts "
        "its shared buffers once per backend; the whole stack's PSS shares each page among the processes "
        "mapping it. The system under test starts no Keycloak (its services take HS256 test tokens).",
        "",
        "| part | idle | " + " | ".join(f"peak at {_label(row)}" for row in steps) + " |",
        "|---|---|" + "---|" * len(steps),
    ]
    for name, rss in idle["rss_mb"].items():
        peaks = " | ".join(f"{row['resources']['parts'][name]['peak_rss_mb']:.0f}" for row in steps)
        lines.append(f"| {name} | {rss:.0f} | {peaks} |")
    for label, idle_key, peak_key in (
        ("whole stack, sum of RSS", "stack_rss_mb", "peak_stack_rss_mb"),
        ("whole stack, sum of PSS", "stack_pss_mb", "peak_stack_pss_mb"),
    ):
        peaks = " | ".join(f"{row['resources'][peak_key]:.0f}" for row in steps)
        lines.append(f"| {label} | {idle[idle_key]:.0f} | {peaks} |")
    lines += [
        "",
        "Budgets: each Python service under 150 MB idle and 250 MB at 100 referrals/s; the whole stack under 3 GB.",
        "",
        "## Cost per event: referrals per CPU-second of each part",
        "",
        "Events are the step's referrals whose suggestions were stored; CPU seconds are utime + stime of the "
        "part's process tree (/proc/<pid>/stat) from the step's first request to its last suggestion stored. "
        "Every referral passes through referral (HTTP, outbox), matching (suggests) and referral again "
        "(suggestions stored); directory and outcomes see only what they consume or nothing.",
        "",
        "| part | " + " | ".join(f"at {_label(row)}: CPU s | referrals per CPU-s" for row in steps) + " |",
        "|---|" + "---|---|" * len(steps),
    ]
    for name in idle["rss_mb"]:
        cells = []
        for row in steps:
            part = row["resources"]["parts"][name]
            per = part["referrals_per_cpu_s"]
            cells.append(f"{part['cpu_s']:.1f} | {per:,.0f}" if per is not None else f"{part['cpu_s']:.1f} | n/a")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    generator = " | ".join(f"{row['load_generator_cpu_s']:.1f} | " for row in steps)
    lines.append(f"| load generator (this process) | {generator} |")
    return lines


def render(results: dict[str, Any]) -> str:
    latency = results["latency_at_20_per_s"]
    lines = [
        "# Whole-system benchmark",
        "",
        f"Command: `{results['command']}`",
        "",
        machine_line(results["machine"]),
        "",
        "## Referral accepted over HTTP → suggestions stored in the referral service, at 20 referrals/s",
        "",
        "| n | p50 | p95 | p99 | max | missing |",
        "|---|---|---|---|---|---|",
        f"| {latency['n']} | {latency['p50_ms']} ms | {latency['p95_ms']} ms | {latency['p99_ms']} ms | "
        f"{latency['max_ms']} ms | {latency['missing']} |",
        "",
        "Target: p99 under 100 ms (wave 2; it was 300 ms).",
        "",
        "## Sustained referral rate (HTTP in, suggestions stored)",
        "",
        "| offered/s | accepted/s | end-to-end/s | drain after last request | p50 | p99 | sustained | load average |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rates"]:
        load = " ".join(f"{x:.1f}" for x in row.get("load_average", []))
        sustained = ("yes" if row["sustained"] else "no") + (" (profiled)" if row.get("profiled") else "")
        lines.append(
            f"| {row['offered_per_s']:g} | {row['accepted_per_s']} | {row['end_to_end_per_s']} | "
            f"{row['drain_after_last_request_s']} s | {row['latency']['p50_ms']} ms | "
            f"{row['latency']['p99_ms']} ms | {sustained} | {load} |"
        )
    lines += [
        "",
        f"Highest sustained rate: **{results['highest_sustained_per_s']}/s** (target at least 200/s).",
        "The load generator (Python, bench/system/load.py) runs on the same two cores as every service, Kafka and "
        "PostgreSQL.",
        "The ladder stops at the first rate not sustained, except that 50, 100 and 150/s are always measured.",
    ]
    if "idle_memory" in results:
        lines += render_resources(results)
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
    parser.add_argument("--profile", type=float, help="record every Python service with py-spy at this rate")
    parser.add_argument(
        "--only-rates",
        action="store_true",
        help="measure only --rates, not also 50, 100 and 150/s: for quick before/after comparisons",
    )
    parser.add_argument("--write", action="store_true", help="write results.json and results.md here")
    args = parser.parse_args()
    args.rates = sorted(set(args.rates) | (set() if args.only_rates else set(ALWAYS)))
    args.command = "python -m bench.system " + " ".join(
        f"--{k.replace('_', '-')} {v:g}"
        for k, v in (
            ("latency_seconds", args.latency_seconds),
            ("rate_seconds", args.rate_seconds),
            ("profile", args.profile),
        )
        if v is not None
    )
    results = run(args)
    print(render(results))
    if args.write:
        (HERE / "results.json").write_text(json.dumps(with_provenance(results), indent=2) + "\n")
        (HERE / "results.md").write_text(render(results))


if __name__ == "__main__":
    main()
