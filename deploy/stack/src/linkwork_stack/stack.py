"""`linkwork-stack run`: Kafka, PostgreSQL, Keycloak and the four services, until Ctrl-C or SIGTERM.

The services verify Keycloak's RS256 tokens through its JWKS, exactly as in a deployment; people sign in as
the demo users of deploy/keycloak/linkwork-realm.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time

from linkwork_contracts.topics import is_dlq

from linkwork_stack import kafka_access, paths
from linkwork_stack.console import console_process
from linkwork_stack.infrastructure import Infrastructure
from linkwork_stack.kafka import KafkaBroker
from linkwork_stack.kafka_access import INTEGRATION
from linkwork_stack.keycloak import ADMIN_PASSWORD, ADMIN_USER, DEMO_PASSWORD, DEMO_USERS, KeycloakRealm, KeycloakServer
from linkwork_stack.notifications import contact_route_token, local_messaging, notifications_process
from linkwork_stack.ports import free_port, is_listening
from linkwork_stack.services import SERVICES, ServiceProcess, wait_until_ready

READY_TIMEOUT = 120.0


def _port_or_free(port: int) -> int:
    return port if not is_listening(port) else free_port()


def _stop_requested() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _load_demo_directory(infra: Infrastructure) -> None:
    """The synthetic directory of about 2,000 services around the demo PCN; loading it again changes nothing."""
    print("[stack] loading the demo directory (about 2,000 services around the demo PCN)", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "linkwork_directory.entrypoints.demo",
            "--database-url",
            infra.postgres.url("directory"),
        ],
        check=True,
    )


def _simulate_in_background(referral_url: str, realm: KeycloakRealm, people: int) -> threading.Thread:
    from linkwork_stack.simulator import simulate

    def play() -> None:
        # A short pause lets matching index the freshly announced directory before the first referral.
        time.sleep(5)
        asyncio.run(simulate(referral_url, realm.headers, people=people, rate=2.0, seed=int(time.time())))

    thread = threading.Thread(target=play, name="simulator", daemon=True)
    thread.start()
    return thread


def sign_in_lines(keycloak_url: str) -> list[str]:
    """How to sign in: printed by `make run` (development only, never a deployment's users)."""
    lines = [
        f"  Sign in (development only; every demo user's password is {DEMO_PASSWORD}):",
        f"    {'user':<22} {'role':<13} {'PCN':<7} organisation",
    ]
    for user in DEMO_USERS:
        lines.append(f"    {user.username:<22} {user.role:<13} {user.pcn or '-':<7} {user.organisation or '-'}")
    lines += [
        f"  Keycloak admin console: {keycloak_url}/admin  ({ADMIN_USER} / {ADMIN_PASSWORD}; realm linkwork)",
        "  An API token for a demo user: .venv/bin/linkwork-stack token --user link-worker",
    ]
    return lines


def kafka_lines(kafka: KafkaBroker) -> list[str]:
    """How an external system (a GP integration engine) connects: printed by `make run`, development only."""
    topics = [g.name for g in kafka_access.grants() if g.user == INTEGRATION and g.resource == "topic"]
    writes = [name for name in topics if not is_dlq(name) and kafka_access.may(INTEGRATION, "Write", name)]
    reads = [name for name in topics if not is_dlq(name) and kafka_access.may(INTEGRATION, "Read", name)]
    return [
        "              SASL_PLAINTEXT, SCRAM-SHA-512; each service is its own user, held to its topics by ACLs.",
        f"              External systems: user {INTEGRATION}, password {kafka.credentials.password(INTEGRATION)}",
        f"              (writes {', '.join(writes)}; reads {', '.join(reads)};",
        f"              random for this data folder; every user's password is in {kafka.credentials_file})",
    ]


def _banner(services: list[ServiceProcess], infra: Infrastructure, keycloak: KeycloakServer, started: float) -> str:
    lines = [f"linkwork is ready after {time.monotonic() - started:.1f}s", ""]
    console = next((s for s in services if s.name == "console"), None)
    if console is not None:
        lines += [f"  Console     {console.url}   (sign in as one of the demo users below)", ""]
    for service in (s for s in services if s.name != "console"):
        lines.append(
            f"  {service.name:<9}  {service.url}/docs   health {service.url}/health   "
            f"ready {service.url}/ready   metrics {service.url}/metrics"
        )
    lines += [
        "",
        f"  Kafka       {infra.kafka.bootstrap}",
        *kafka_lines(infra.kafka),
        f"  PostgreSQL  {infra.postgres.url()}",
        f"  Keycloak    {keycloak.url}",
        f"  data        {paths.data_dir()}",
        "",
        *sign_in_lines(keycloak.url),
        "  Send it as 'Authorization: Bearer <token>'. The commissioners' report page:",
        '    curl -H "Authorization: Bearer $(.venv/bin/linkwork-stack token --user commissioner)" \\',
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
    keycloak_port: int = 8080,
    demo: bool = True,
    simulate_people: int = 0,
) -> int:
    stop = _stop_requested()
    started = time.monotonic()
    data = paths.data_dir()
    if fresh:
        shutil.rmtree(data, ignore_errors=True)
    # Kafka authenticates every service as its own user and holds it to its topics (issue 16).
    infra = Infrastructure.under(data, kafka_port, kafka_port + 1, postgres_port, secured=True)
    keycloak = KeycloakServer(data / "keycloak", port=keycloak_port)
    services = [
        ServiceProcess(
            name,
            http_port_base + index,
            {
                "LINKWORK_DATABASE_URL": infra.postgres.url(name),
                **infra.kafka.service_env(name),
                "LINKWORK_HTTP_PORT": str(http_port_base + index),
                **keycloak.realm().service_env(),
            },
        )
        for index, name in enumerate(SERVICES)
    ]
    # The next port after the four services': 8005 by default (the port the realm's console client expects).
    console = console_process(
        http_port_base + len(SERVICES),
        infra.postgres.url("console"),
        keycloak.realm().issuer,
        {s.name: s.url for s in services},
    )
    extras = contextlib.ExitStack()
    try:
        print(f"[stack] starting Keycloak on {keycloak.url} (its log: {keycloak.log_file})", flush=True)
        keycloak.launch()
        print("[stack] starting PostgreSQL and Apache Kafka", flush=True)
        infra.start()
        infra.postgres.create_database("console")
        services.append(console)
        # Notifications (8006) with a local Notify and SMTP server, so the messages people get can be seen.
        infra.postgres.create_database("notifications")
        notify_port, smtp_port = (_port_or_free(http_port_base + offset) for offset in (915, 24))  # 8916, 8025
        messaging = extras.enter_context(local_messaging(notify_port=notify_port, smtp_port=smtp_port))
        token = contact_route_token()
        services[0].env["LINKWORK_CONTACT_ROUTE_TOKEN"] = token  # referral serves the contact routes
        # Emails to providers about activity referrals (issue 17) go to the same printing SMTP server.
        services[0].env.update(
            {
                "LINKWORK_SMTP_HOST": "127.0.0.1",
                "LINKWORK_SMTP_PORT": str(smtp_port),
                "LINKWORK_CONSOLE_URL": console.url,
                "LINKWORK_PROVIDER_EMAILS": json.dumps(
                    {
                        u.organisation: f"referrals+{u.username}@linkwork.example"
                        for u in DEMO_USERS
                        if u.role == "provider"
                    }
                ),
            }
        )
        services.append(
            notifications_process(
                http_port_base + len(SERVICES) + 1,
                infra.postgres.url("notifications"),
                infra.kafka.bootstrap,
                services[0].url,
                token,
                messaging,
            )
        )
        services[-1].env |= infra.kafka.service_env("notifications")
        console.env["LINKWORK_NOTIFICATIONS_URL"] = services[-1].url  # the console's task list reads it
        for service in services:
            service.start(sys.stdout)
        wait_until_ready(services, READY_TIMEOUT)
        if demo:
            _load_demo_directory(infra)
        if not keycloak.running() or not keycloak.realm().is_ready():
            print("[stack] waiting for Keycloak (several minutes on a busy machine is normal)", flush=True)
        keycloak.wait_until_ready()
        print(_banner(services, infra, keycloak, started), flush=True)
        print(
            f"  Messages to people: SMS at {messaging.notify_url}/_local/messages (the local GOV.UK Notify); "
            "emails appear below as 'smtp |' lines",
            flush=True,
        )
        if simulate_people:
            _simulate_in_background(services[0].url, keycloak.realm(), simulate_people)
        while not stop.wait(1.0):
            if not keycloak.running():
                print("[stack] Keycloak exited unexpectedly; stopping", flush=True)
                return 1
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
        extras.close()
        keycloak.stop()
        infra.stop()
        print("[stack] stopped", flush=True)
