"""`make bench`: every benchmark, one after the other, on this machine, then one report (bench/REPORT.md).

Starts its own Apache Kafka and PostgreSQL for the per-service benchmarks (the whole-system benchmark starts
a complete system of its own), runs each suite with `--write` so its results file is refreshed, and
collects the results files into REPORT.md with the machine and the date.

    python -m bench [--only system,matching] [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from linkwork_stack.infrastructure import Infrastructure
from linkwork_stack.ports import free_port

HERE = Path(__file__).parent


def suites(kafka: str, postgres: str, quick: bool) -> dict[str, list[str]]:
    """Each suite's command line; `quick` shrinks sizes for a smoke run (figures then are not the bar).

    Only a full run passes `--write`, which replaces the committed results: a quick run never does.
    """
    commands = _commands(kafka, postgres, quick)
    return {name: [arg for arg in command if arg != "--write" or not quick] for name, command in commands.items()}


def _commands(kafka: str, postgres: str, quick: bool) -> dict[str, list[str]]:
    python = sys.executable
    server = postgres.rsplit("/", 1)[0]
    return {
        "messaging": [
            python,
            "-m",
            "bench.messaging",
            "--kafka",
            kafka,
            "--database",
            f"{server}/bench_messaging",
            *(["--events", "5000", "--repetitions", "2"] if quick else []),
            "--write",
        ],
        "directory": [
            python,
            "-m",
            "bench.directory",
            "--kafka",
            kafka,
            "--database-url",
            f"{server}/bench_directory",
            *(["--count", "5000", "--requests", "100"] if quick else []),
            "--write",
        ],
        "matching": [
            python,
            "-m",
            "bench.matching",
            "--kafka",
            kafka,
            "--postgres",
            postgres,
            *(["--services", "5000"] if quick else []),
            "--write",
        ],
        "outcomes": [
            python,
            "-m",
            "bench.outcomes",
            "--kafka",
            kafka,
            "--database",
            postgres,
            *(["--replay-referrals", "3000", "--report-referrals", "20000"] if quick else []),
            "--write",
        ],
        "referral": [
            python,
            str(HERE / "referral" / "bench_referral.py"),
            "--kafka",
            kafka,
            "--postgres",
            postgres,
            "--write",
        ],
        "console": [
            python,
            "-m",
            "bench.console",
            "--kafka",
            kafka,
            "--postgres",
            postgres,
            *(["--users", "10", "--seconds", "10"] if quick else []),
            "--write",
        ],
        "system": [
            python,
            "-m",
            "bench.system",
            *(["--latency-seconds", "10", "--rates", "50"] if quick else []),
            "--write",
        ],
        "system/idle": [python, "-m", "bench.system.idle_stack", *(["--settle", "5"] if quick else []), "--write"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", type=lambda s: s.split(","), default=None)
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the benchmarks run, nothing more")
    args = parser.parse_args()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="linkwork-bench-") as folder:
        Path(folder).chmod(0o755)  # PostgreSQL runs as an unprivileged user and must reach its data
        infra = Infrastructure.under(Path(folder), free_port(), free_port(), free_port())
        infra.start()
        for database in ("bench_messaging", "bench_directory"):
            infra.postgres.create_database(database)
        try:
            for name, command in suites(infra.kafka.bootstrap, infra.postgres.url(), args.quick).items():
                if args.only and name not in args.only:
                    continue
                print(f"== bench {name}: {' '.join(command)}", flush=True)
                started = time.monotonic()
                if subprocess.run(command, cwd=HERE.parent, check=False).returncode != 0:
                    failures.append(name)
                print(f"== bench {name}: {time.monotonic() - started:.0f}s", flush=True)
        finally:
            infra.stop()
    if not args.quick:
        from bench.report import main as write_report

        write_report([])
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
