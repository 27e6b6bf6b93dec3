"""`linkwork-stack run`: Kafka, PostgreSQL and the four services, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import threading
import time

from linkwork_stack import paths
from linkwork_stack.infrastructure import Infrastructure
from linkwork_stack.services import SERVICES, ServiceProcess, wait_until_ready

READY_TIMEOUT = 120.0


def _stop_requested() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _load_demo_directory(infra: Infrastructure) -> None:
    """The synthetic directory of about 2,000 services around the demo PCN; loading it again changes nothing."""
    print("[stack] loading the demo directory (about 2,000 services around the demo PCN)", flush=True)
    subprocess.run(
        [sys.executable, "-m", "linkwork_directory.demo", "--database-url", infra.postgres.url("directory")], check=True
    )


def _simulate_in_background(referral_url: str, people: int) -> threading.Thread:
    from linkwork_stack.simulator import simulate
    from linkwork_stack.tokens import development_token

    def headers(role: str, subject: str = "simulator", organisation: str | None = None) -> dict[str, str]:
        token = development_token(role=role, pcn="U00001", subject=subject, organisation=organisation)
        return {"Authorization": f"Bearer {token}"}

    def play() -> None:
        # A short pause lets matching index the freshly announced directory before the first referral.
        time.sleep(5)
        asyncio.run(simulate(referral_url, headers, people=people, rate=2.0, seed=int(time.time())))

    thread = threading.Thread(target=play, name="simulator", daemon=True)
    thread.start()
    return thread


def _banner(services: list[ServiceProcess], infra: Infrastructure, started: float) -> str:
    lines = [f"linkwork is ready after {time.monotonic() - started:.1f}s", ""]
    for service in services:
        lines.append(
            f"  {service.name:<9}  {service.url}/docs   health {service.url}/health   "
            f"ready {service.url}/ready   metrics {service.url}/metrics"
        )
    lines += [
        "",
        f"  Kafka       {infra.kafka.bootstrap}",
        f"  PostgreSQL  {infra.postgres.url()}",
        f"  data        {paths.data_dir()}",
        "",
        "  Development token: .venv/bin/linkwork-stack token --role link_worker --pcn U00001",
        "  (roles: referrer, link_worker, pcn_admin, commissioner, curator); send it as",
        "  'Authorization: Bearer <token>'. The commissioners' report page:",
        '    curl -H "Authorization: Bearer $(.venv/bin/linkwork-stack token --role commissioner)" \\',
        f"      {services[3].url}/reports > report.html",
        f"  Play more of a day in the PCN: .venv/bin/linkwork-stack simulate --referral-url {services[0].url}",
        "  Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def run_stack(
    *,
    fresh: bool,
    kafka_port: int,
    postgres_port: int,
    http_port_base: int = 8001,
    demo: bool = True,
    simulate_people: int = 0,
) -> int:
    stop = _stop_requested()
    started = time.monotonic()
    data = paths.data_dir()
    if fresh:
        shutil.rmtree(data, ignore_errors=True)
    infra = Infrastructure.under(data, kafka_port, kafka_port + 1, postgres_port)
    services = [
        ServiceProcess(
            name,
            http_port_base + index,
            {
                "LINKWORK_DATABASE_URL": infra.postgres.url(name),
                "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": infra.kafka.bootstrap,
                "LINKWORK_HTTP_PORT": str(http_port_base + index),
            },
        )
        for index, name in enumerate(SERVICES)
    ]
    try:
        print("[stack] starting PostgreSQL and Apache Kafka", flush=True)
        infra.start()
        for service in services:
            service.start(sys.stdout)
        wait_until_ready(services, READY_TIMEOUT)
        if demo:
            _load_demo_directory(infra)
        print(_banner(services, infra, started), flush=True)
        if simulate_people:
            _simulate_in_background(services[0].url, simulate_people)
        while not stop.wait(1.0):
            if crashed := [s.name for s in services if not s.running()]:
                print(f"[stack] service exited unexpectedly: {', '.join(crashed)}; stopping", flush=True)
                return 1
        return 0
    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as error:
        print(f"[stack] {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        print("[stack] stopping", flush=True)
        for service in reversed(services):
            service.stop()
        infra.stop()
        print("[stack] stopped", flush=True)
