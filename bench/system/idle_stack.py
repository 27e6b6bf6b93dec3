"""Memory of the whole local stack as `make run` starts it, idle: the issue 20 budget's own definition.

`python -m bench.system` measures the system under test it drives (four services, Kafka, PostgreSQL; HS256
test tokens, so no Keycloak). The budget "the whole local stack under 3 GB" names the OIDC provider and every
service, so this measures what a PCN's digital lead starts: `linkwork-stack run` (Kafka, PostgreSQL,
Keycloak, referral, directory, matching, outcomes, notifications, the console, the demo directory loaded) in a
scratch data folder on free ports, left idle for `--settle` seconds after it says it is ready.

Each direct child of the runner is one part (its process tree); a part is named from its command line.

    python -m bench.system.idle_stack [--settle 30] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from linkwork_stack.ports import free_port

from bench.machine import describe_machine, machine_line
from bench.provenance import with_provenance
from bench.system.resources import Part, descendants, snapshot

HERE = Path(__file__).parent
RESULTS = HERE / "idle" / "results.json"  # suite "system/idle" of bench/report.py
READY = "linkwork is ready after"
_NAMES = (  # (what the command line holds, the part's name); first match wins
    ("linkwork_referral", "referral"),
    ("linkwork_directory", "directory"),
    ("linkwork_matching", "matching"),
    ("linkwork_outcomes", "outcomes"),
    ("linkwork_notifications", "notifications"),
    ("linkwork_console", "console"),
    ("linkwork-console", "console"),
    ("kafka.Kafka", "kafka"),
    ("keycloak", "keycloak"),
    ("quarkus", "keycloak"),
    ("postgres", "postgresql"),
)
PYTHON_SERVICES = {"referral", "directory", "matching", "outcomes", "notifications", "console"}


def _name(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return f"pid {pid}"
    return next((name for marker, name in _NAMES if marker in command), command.split(" ", 1)[0])


def _children(root: int) -> list[int]:
    return [pid for pid in descendants(root) if pid != root and _parent(pid) == root]


def _parent(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(text[text.rindex(")") + 2 :].split()[1])


def measure(settle: float, ready_within: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="linkwork-bench-idle-stack-") as folder:
        Path(folder).chmod(0o755)  # PostgreSQL runs as an unprivileged user and must reach its data
        log = Path(folder) / "stack.log"
        command = [
            str(Path(sys.executable).parent / "linkwork-stack"),
            "run",
            "--fresh",
            *("--kafka-port", str(free_port()), "--postgres-port", str(free_port())),
            *("--http-port-base", str(free_port()), "--keycloak-port", str(free_port())),
        ]
        env = {**os.environ, "LINKWORK_DATA_DIR": str(Path(folder) / "data")}
        with log.open("wb") as out:
            runner = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            began = time.monotonic()
            while READY not in log.read_text(errors="replace"):
                if runner.poll() is not None or time.monotonic() - began > ready_within:
                    raise SystemExit(f"the stack did not get ready; its output:\n{log.read_text()[-3000:]}")
                time.sleep(1)
            ready_after = time.monotonic() - began
            time.sleep(settle)
            parts = [
                Part(_name(pid), pid, python_service=_name(pid) in PYTHON_SERVICES) for pid in _children(runner.pid)
            ]
            memory = snapshot(parts)
            # The runner's own share: its whole tree minus its children's trees.
            whole = Part("runner", runner.pid, python_service=False).rss_mb()
            memory["runner_mb"] = round(whole - sum(part.rss_mb() for part in parts), 1)
        finally:
            os.killpg(runner.pid, signal.SIGINT)
            try:
                runner.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(runner.pid, signal.SIGKILL)
                runner.wait()
    return {"ready_after_s": round(ready_after, 1), "settle_s": settle, **memory}


def render(results: dict[str, Any]) -> str:
    rss = results["rss_mb"]
    lines = [
        "# The whole local stack, idle (`linkwork-stack run`, as `make run` starts it)",
        "",
        machine_line(results["machine"]),
        "",
        f"Ready after {results['ready_after_s']} s; measured {results['settle_s']} s later.",
        "",
        "| part | RSS (MB) |",
        "|---|---|",
        *(f"| {name} | {value:,.0f} |" for name, value in sorted(rss.items())),
        "",
        f"Stack total: {results['stack_pss_mb']:,.0f} MB PSS ({results['stack_rss_mb']:,.0f} MB summed RSS, "
        f"which counts PostgreSQL's shared buffers once per backend); the runner itself "
        f"{results['runner_mb']:,.0f} MB more.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.system.idle_stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--settle", type=float, default=30)
    parser.add_argument("--ready-within", type=float, default=900)
    parser.add_argument("--write", action="store_true", help="write idle/results.json and idle/results.md here")
    args = parser.parse_args()
    results = {
        "command": "python -m bench.system.idle_stack" + (f" --settle {args.settle:g}" if args.settle != 30 else ""),
        "machine": describe_machine(),
        **measure(args.settle, args.ready_within),
    }
    print(render(results))
    if args.write:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(with_provenance(results), indent=2) + "\n")
        (RESULTS.parent / "results.md").write_text(render(results))


if __name__ == "__main__":
    main()
