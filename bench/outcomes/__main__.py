"""Outcomes benchmarks: projection rebuild throughput and summary report latency.

    .venv/bin/python -m bench.outcomes [--replay-referrals 30000] [--replay-runs 5]
                                       [--report-referrals 1000000] [--report-runs 30]
                                       [--kafka HOST:PORT --database URL] [--write]

By default it starts its own Kafka broker and PostgreSQL server in a temporary folder (as
bench.messaging does), so the shared development servers' other work does not disturb it; the
machine itself is still shared. Targets: rebuild at 10,000 events/s or more; a summary report over
the aggregates of 1,000,000 referrals in under 200 ms. `--write` saves results.json and results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from linkwork_stack.databases import scratch_database

from bench.machine import describe_machine, machine_line
from bench.outcomes import replay, report_latency
from bench.percentiles import percentile
from bench.provenance import with_provenance
from bench.servers import own_servers

HERE = Path(__file__).parent
REPLAY_TARGET = 10_000
REPORT_TARGET_MS = 200


@asynccontextmanager
async def infrastructure(args: argparse.Namespace) -> AsyncIterator[tuple[str, str]]:
    if args.kafka and args.database:
        yield args.kafka, args.database
        return
    async with own_servers("linkwork-outcomes-bench-") as (broker, server):
        yield broker.bootstrap, server.url()


async def main(args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {
        "command": "python -m bench.outcomes " + " ".join(args.argv),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
    }
    async with infrastructure(args) as (bootstrap, database):
        results["infrastructure"] = "given" if args.kafka else "own Kafka broker and PostgreSQL server"
        if args.replay_runs:
            prefix, history = await replay.publish(bootstrap, args.replay_referrals)
            runs = []
            async with scratch_database(database, "bench") as url:
                for _ in range(args.replay_runs):
                    runs.append(await asyncio.to_thread(replay.rebuild, url, bootstrap, prefix))
                    print(f"rebuild: {runs[-1].records_per_second:,.0f} events/s", flush=True)
            rates = [run.records_per_second for run in runs]
            results["replay"] = {
                "history": history,
                "runs": [asdict(run) | {"records_per_second": round(run.records_per_second)} for run in runs],
                "median_events_per_second": round(statistics.median(rates)),
                "p95_low_events_per_second": round(percentile(rates, 5)),
                "target_events_per_second": REPLAY_TARGET,
            }
        if args.report_runs:
            async with scratch_database(database, "bench") as url:
                built = await report_latency.build(url, args.report_referrals)
                print(f"aggregates built: {built}", flush=True)
                timings = await report_latency.measure(url, args.report_runs)
            results["report"] = {
                "aggregates": built,
                "timings": [asdict(t) for t in timings],
                "target_ms": REPORT_TARGET_MS,
            }
    return results


def markdown(results: dict[str, object]) -> str:
    machine = results["machine"]
    assert isinstance(machine, dict)
    lines = [
        "# Outcomes benchmarks",
        "",
        f"Run {results['started']} with `{results['command']}` against {results['infrastructure']}.",
        "",
        f"{machine_line(machine)} Other engineers' work shares the machine.",
        "",
    ]
    replayed = results.get("replay")
    if isinstance(replayed, dict):
        history = replayed["history"]
        lines += [
            "## Projection rebuilt from Kafka",
            "",
            "`python -m linkwork_outcomes.entrypoints.rebuild_projections` as its own process into a fresh database: "
            f"{history['events']:,} "
            f"events ({history['referrals']:,} referrals, mean {history['mean_event_bytes']} bytes as CloudEvents) "
            "on 8 topics of 3 partitions, from emptying the tables to the last summary projected. "
            f"Target: {replayed['target_events_per_second']:,} events/s.",
            "",
            "| run | events | replay s | projection s | events/s |",
            "|---|---|---|---|---|",
        ]
        for number, run in enumerate(replayed["runs"], start=1):
            lines.append(
                f"| {number} | {run['records']:,} | {run['replay_seconds']:.2f} | "
                f"{run['projection_seconds']:.2f} | {run['records_per_second']:,} |"
            )
        lines += [
            "",
            f"Median {replayed['median_events_per_second']:,} events/s; slowest runs (5th percentile) "
            f"{replayed['p95_low_events_per_second']:,} events/s.",
            "",
        ]
    report = results.get("report")
    if isinstance(report, dict):
        built = report["aggregates"]
        lines += [
            "## Summary report latency",
            "",
            f"Aggregates of {built['referrals']:,} referrals in {built['pcns']} PCNs ({built['practices']} practices, "
            f"{built['services']:,} services) over 12 months: {built['tally_rows']:,} count cells and "
            f"{built['outcome_rows']:,} outcome cells, {built['gap_windows']:,} gap windows. Timed from reading the "
            f"aggregates to the response bytes (suppression included). Target: under {report['target_ms']} ms.",
            "",
            "| report | runs | median ms | p95 ms | max ms | bytes |",
            "|---|---|---|---|---|---|",
        ]
        for timing in report["timings"]:
            lines.append(
                f"| {timing['scope']} | {timing['runs']} | {timing['median_ms']} | {timing['p95_ms']} | "
                f"{timing['max_ms']} | {timing['bytes']:,} |"
            )
        lines.append("")
    return "\n".join(lines)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.outcomes", description=__doc__)
    parser.add_argument("--replay-referrals", type=int, default=30_000)
    parser.add_argument("--replay-runs", type=int, default=5)
    parser.add_argument("--report-referrals", type=int, default=1_000_000)
    parser.add_argument("--report-runs", type=int, default=30)
    parser.add_argument("--kafka")
    parser.add_argument("--database", help="URL of a PostgreSQL server on which to create databases")
    parser.add_argument("--write", action="store_true", help="save results.json and results.md here")
    args = parser.parse_args(argv)
    args.argv = argv
    return args


if __name__ == "__main__":
    import sys

    arguments = parse(sys.argv[1:])
    outcome = asyncio.run(main(arguments))
    print(json.dumps(outcome, indent=2, default=str))
    if arguments.write:
        (HERE / "results.json").write_text(json.dumps(with_provenance(outcome), indent=2, default=str) + "\n")
        (HERE / "results.md").write_text(markdown(outcome))
