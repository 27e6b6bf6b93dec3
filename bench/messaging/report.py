"""Write the benchmark's results as JSON (for tools) and Markdown (for people)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import machine_line
from bench.provenance import with_provenance

_LABELS = {
    "relay": "outbox relay (publish, acks=all)",
    "raw_producer": "raw aiokafka producer (acks=all, idempotent), same messages",
    "raw": "raw aiokafka consume + commit",
    "pipeline": "our consumer pipeline (no-op handler)",
    "pipeline_tuned_gc": "our consumer pipeline (no-op handler), tuned GC",
    "pipeline_insert": "our consumer pipeline (one INSERT per event)",
    "pipeline_insert_tuned_gc": "our consumer pipeline (one INSERT per event), tuned GC",
}


def _saved(summary: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The summary dated (unless it already is) and written to `folder`/results.json."""
    summary = {"date": datetime.now(UTC).isoformat(timespec="seconds"), **summary}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(with_provenance(summary), indent=2) + "\n")
    return summary


def _how_measured(summary: dict[str, Any]) -> list[str]:
    """How the figures were taken: the command and the machine."""
    return [
        f"Command: `{summary['command']}` ({summary['date']}), {summary['infrastructure']}.",
        machine_line(summary["machine"]),
    ]


def _loads(summary: dict[str, Any]) -> str:
    """The table row of load averages, one per repetition."""
    loads = ", ".join(f"{run['load_average']:.1f}" for run in summary["runs"])
    return f"| load average (1 min) when each repetition started | | | | {loads} |"


def write_reports(summary: dict[str, Any], folder: Path) -> None:
    summary = _saved(summary, folder)
    medians = summary["medians"]
    lines = [
        "# Messaging benchmark results",
        "",
        *_how_measured(summary),
        f"{summary['events']:,} events of ~1.2 kB per run, batches of {summary['batch']}, "
        f"median of {summary['repetitions']} repetitions (after one warm-up).",
        "",
        "| measure | median events/s | / raw | CPU µs/event | runs |",
        "|---|---:|---:|---:|---|",
    ]
    ratios = summary["ratios_to_raw"]
    for name, label in _LABELS.items():
        if name not in medians:  # results from before the measure existed
            continue
        runs = ", ".join(f"{run[name]:,.0f}" for run in summary["runs"])
        ratio = f"{ratios[name]:.2f}" if name in ratios else ""
        cpu = medians.get(f"cpu_us.{name}")
        lines.append(f"| {label} | {medians[name]:,.0f} | {ratio} | {'' if cpu is None else f'{cpu:.0f}'} | {runs} |")
    lines.append(_loads(summary))
    lines += [
        "",
        f"**Pipeline / raw: {ratios['pipeline']:.2f}** with default garbage collection, "
        f"**{ratios['pipeline_tuned_gc']:.2f}** with the tuned collector (target: at least 0.8). "
        f"**Relay / raw producer: {ratios['relay']:.2f}** (target: at least 0.8; the relay's row has the ratio "
        "to the raw producer in its / raw column).",
        "",
        "Notes. Raw does nothing with a record but count it. The raw producer sends the relay's messages with "
        "the relay's producer settings (but aiokafka's own partitioner, where the relay's producer uses linkwork's "
        "faster murmur2 giving the same partitions), all at once, then awaits every acknowledgement; the relay "
        "also claims its rows, waits for a batch's acknowledgements before deleting them and committing, and keeps "
        "each key to one event in flight. The pipeline decodes and validates every "
        "CloudEvent with the contracts' `decode` (about 20 µs of CPU per event here, most of the "
        "difference), writes one inbox row per event and commits a transaction per batch and partition. "
        "The INSERT rows add the handler's own round trip to PostgreSQL for every event. Tuned GC is "
        "`gc.freeze()` plus `gc.set_threshold(10_000, 10, 10)`, as a service can do at start-up. The "
        "machine is shared with other work (see the load averages), so figures move between runs.",
        "",
    ]
    (folder / "results.md").write_text("\n".join(lines))


_SASL_LABELS = {"relay": _LABELS["relay"], "raw": _LABELS["raw"], "pipeline": _LABELS["pipeline"]}


def write_sasl_reports(summary: dict[str, Any], folder: Path) -> None:
    """The cost of Kafka authentication: each measure without and with SASL/SCRAM + ACLs, same run."""
    summary = _saved(summary, folder)
    medians, ratios = summary["medians"], summary["sasl_to_plain"]
    lines = [
        "# Messaging benchmark: the cost of Kafka authentication (SASL/SCRAM-SHA-512 + ACLs)",
        "",
        *_how_measured(summary),
        f"{summary['events']:,} events of ~1.2 kB per run, batches of {summary['batch']}, "
        f"median of {summary['repetitions']} repetitions (after one warm-up); in each repetition both "
        "listeners of the same broker, alternating which goes first.",
        "",
        "| measure | plaintext events/s | SASL events/s | SASL / plaintext | runs (plaintext; SASL) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, label in _SASL_LABELS.items():
        plain = ", ".join(f"{run[name]:,.0f}" for run in summary["runs"])
        sasl = ", ".join(f"{run[f'{name}_sasl']:,.0f}" for run in summary["runs"])
        lines.append(
            f"| {label} | {medians[name]:,.0f} | {medians[f'{name}_sasl']:,.0f} | {ratios[name]:.2f} | "
            f"{plain}; {sasl} |"
        )
    lines += [
        _loads(summary),
        "",
        "Notes. SASL_PLAINTEXT authenticates once per connection (a SCRAM exchange) and then frames requests "
        "as before; nothing is encrypted, so the steady-state cost is the broker's ACL check per request "
        "(StandardAuthorizer, the `referral` user with prefixed grants) plus the handshake when a client "
        "connects. TLS (SASL_SSL, as on Strimzi) adds encryption, which this machine does not measure. "
        "The machine is shared with other work (see the load averages), so figures move between runs and "
        "a ratio within a few per cent of 1 is noise. The relay's figure in particular swings up to 2x between "
        "consecutive runs on this machine under load whichever listener it uses (a probe alternating plaintext "
        "and SASL relays, 20,000 events each, gave 6,300-25,600 events/s for both), so only the consumer "
        "rows say much about SASL.",
        "",
    ]
    (folder / "results.md").write_text("\n".join(lines))
