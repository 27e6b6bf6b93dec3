"""Matching benchmark and evaluation (not tests).

    .venv/bin/python -m bench.matching [--quality] [--eligibility] [--latency] [--http] [--replay] [--write]
        [--services 100000] [--kafka 127.0.0.1:29092] [--postgres postgresql://postgres@127.0.0.1:25432/postgres]

With no part named, all run:
- quality: nDCG@5 and recall@10 of the ranker and two baselines on labelled personas (quality.py);
- eligibility: violations and misses on hand-written eligibility personas (eligibility_personas.py);
- latency: top-10 over N services in-process, p50/p95, and the index's memory (latency.py);
- http: POST /match over HTTP to the service running as its own process with N services (http_bench.py);
- replay: the read model rebuilt from N service-changed snapshots on Kafka (replay.py).
--write saves bench/matching/results.json and results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import describe_machine as describe
from bench.machine import machine_line
from bench.matching import eligibility_personas, http_bench, latency, quality, replay
from bench.provenance import with_provenance

HERE = Path(__file__).parent


def render(results: dict[str, Any]) -> str:
    lines = ["# Matching benchmark and evaluation", "", f"Run {results['run_at']} with `{results['command']}`.", ""]
    lines += [
        f"{machine_line(results['machine'])} Kafka, PostgreSQL and other engineers' work share the machine.",
        "",
    ]
    if q := results.get("quality"):
        lines += [
            "## Ranking quality (labelled personas)",
            "",
            f"{q['personas']} personas against {q['services']} services, labelled by the rules in "
            f"`labels.py` (written apart from the ranker); {q['personas_with_nothing_relevant']} "
            "personas with nothing relevant are left out; median "
            f"{q['relevant_services_per_persona_median']} relevant services per persona. "
            "Bracketed: bootstrap 95% intervals over personas. *Discarded*: share of the top 10 "
            "a link worker would reject (grade 0).",
            "",
            "| system | nDCG@5 | recall@10 | top-10 discarded |",
            "|---|---|---|---|",
        ]
        for name, s in q["systems"].items():
            lines.append(
                f"| {name} | {s['ndcg@5']} {s['ndcg@5_95ci']} | {s['recall@10']} "
                f"{s['recall@10_95ci']} | {s['top10_discarded']} |"
            )
        lines.append("")
    if e := results.get("eligibility"):
        lines += [
            "## Eligibility (hand-written personas, issue 21)",
            "",
            f"{e['personas']} personas against {e['services']} services with service areas, eligibility "
            "codes, languages, costs, accessibility, delivery modes, ages and capacity, each with the "
            "services it must and must not be offered (`eligibility_personas.py`, written apart from "
            "the ranker; also run by `make test`)"
            + (f"; run {e['run_at']} with `{e['command']}`." if "run_at" in e else "."),
            "",
            "| violations (ineligible offered) | misses (eligible not offered) | gap verdicts wrong |",
            "|---|---|---|",
            f"| {e['violations']} | {e['misses']} | {e['gap_errors']} |",
            "",
            *(f"- {detail}" for detail in e["details"]),
        ]
    if lat := results.get("latency"):
        t, u = lat["suggest_top10"], lat["upsert_one_service"]
        lines += [
            "## In-process ranking",
            "",
            f"{lat['services']} services ({lat['offers_indexed']} offers: a service at two venues "
            "is two) packed within 25 km of one city centre, the dense worst case; "
            f"{lat['queries']} random people with 1-3 needs; top 10 with reasons "
            f"(mean {lat['mean_options_returned']} returned).",
            "",
            "| measure | median | p95 | p99 | max |",
            "|---|---|---|---|---|",
            f"| suggest top 10 (ms) | {t['median_ms']} | {t['p95_ms']} | {t['p99_ms']} | {t['max_ms']} |",
            f"| apply one changed service (ms) | {u['median_ms']} | {u['p95_ms']} | {u['p99_ms']} | {u['max_ms']} |",
            "",
            f"Index: {lat['index_numpy_mib']} MiB of numpy arrays, {lat['index_total_mib']} MiB in all "
            f"(traced allocations), beside {lat['snapshots_mib']} MiB for the service snapshots "
            f"themselves; built in {lat['index_build_seconds']} s.",
            "",
            f"Target p95 under 20 ms: {'met' if t['p95_ms'] < 20 else 'NOT met'} ({t['p95_ms']} ms).",
            "",
        ]
    if h := results.get("http"):
        lines += [
            "## Over HTTP",
            "",
            f"POST /match to the service as its own process, {h['services']} services loaded from its "
            f"read model at start-up ({h['start_until_serving_seconds_including_index_load']} s from "
            "process start to serving). The HTTP client runs on the same two cores, so the 8-client "
            "figures measure the machine as much as the service (one event loop, ranking is "
            "CPU work).",
            "",
            "| clients | median ms | p95 ms | p99 ms | max ms | requests/s |",
            "|---|---|---|---|---|---|",
        ]
        for name, s in h.items():
            if name.startswith("post_match"):
                lines.append(
                    f"| {name.removeprefix('post_match_').replace('_', ' ')} | {s['median_ms']} | "
                    f"{s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} | {s.get('requests_per_s', '')} |"
                )
        lines.append("")
    if r := results.get("replay"):
        lines += [
            "## Read model rebuilt from Kafka",
            "",
            f"{r['snapshots']} service-changed snapshots (about 1.5 kB each as CloudEvents, with locations "
            "and schedules) on a compacted topic of 4 partitions, the service started as its own process on "
            f"an empty database; {r['stored_in_read_model']} in the read model afterwards.",
            "",
        ]
        if "rebuild_events_per_s" in r:
            lines += [
                "| measure | seconds | events/s |",
                "|---|---|---|",
                f"| rebuild: the start-up replay, first fetch to last offset commit (as the service reports it) "
                f"| {r['rebuild_seconds']} | {r['rebuild_events_per_s']} |",
                "| process start until caught up, indexed and serving (imports, migrations, Kafka, the replay, "
                f"loading the in-memory index) | {r['process_start_until_caught_up_and_indexed_seconds']} "
                f"| {r['snapshots_per_s_including_start_up']} |",
                "",
                f"CPU: the service used {r['rebuild_service_cpu_seconds']} s over the rebuild "
                f"({r['rebuild_service_cpu_us_per_event']} µs per event); the PostgreSQL backends of its "
                f"database {r.get('database_cpu_seconds_during_start_up')} s over the whole start-up. On a "
                "shared machine these say more than the wall time.",
                "",
                "The 10,000 events/s target applies to the rebuild. Where the time goes, before and after: "
                "`bench/profiles/README.md` (matching rebuild).",
                "",
            ]
        else:
            lines += [
                f"{r['process_start_until_caught_up_and_indexed_seconds']} s from process start until caught "
                f"up and indexed ({r['snapshots_per_s_including_start_up']} snapshots/s, start-up included).",
                "",
            ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for part in ("quality", "eligibility", "latency", "http", "replay"):
        parser.add_argument(f"--{part}", action="store_true")
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--kafka", default="127.0.0.1:29092")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:25432/postgres")
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--profile", type=Path, help="with --replay: write a py-spy flame graph of the service's rebuild here (SVG)"
    )
    parser.add_argument("--render", action="store_true", help="only rewrite results.md from the committed results.json")
    args = parser.parse_args()
    if args.render:
        (HERE / "results.md").write_text(render(json.loads((HERE / "results.json").read_text())) + "\n")
        return
    parts = [p for p in ("quality", "eligibility", "latency", "http", "replay") if getattr(args, p)] or [
        "quality",
        "eligibility",
        "latency",
        "http",
        "replay",
    ]
    results: dict[str, Any] = {
        "run_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.matching " + " ".join(sys.argv[1:]),
        "machine": describe(),
    }
    if "quality" in parts:
        results["quality"] = quality.evaluate()
    if "eligibility" in parts:
        results["eligibility"] = eligibility_personas.evaluate().summary()
    if "latency" in parts:
        results["latency"] = latency.measure(services_count=args.services)
    if "http" in parts:
        results["http"] = asyncio.run(
            http_bench.measure(postgres=args.postgres, kafka=args.kafka, services_count=args.services)
        )
    if "replay" in parts:
        results["replay"] = asyncio.run(
            replay.measure(postgres=args.postgres, kafka=args.kafka, services_count=args.services, profile=args.profile)
        )
    print(json.dumps(results, indent=2))
    if args.write:
        (HERE / "results.json").write_text(json.dumps(with_provenance(results), indent=2) + "\n")
        (HERE / "results.md").write_text(render(results) + "\n")


if __name__ == "__main__":
    main()
