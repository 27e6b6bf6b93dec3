"""`linkwork-stack`: provision, start infrastructure, run the whole stack, get demo users' tokens from Keycloak."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
from collections.abc import Callable

from linkwork_stack import paths
from linkwork_stack.infrastructure import Infrastructure
from linkwork_stack.kafka import provision_jars
from linkwork_stack.keycloak import DEMO_USERS, USER_FOR_ROLE, KeycloakRealm, KeycloakServer, provision_distribution
from linkwork_stack.prerequisites import MissingPrerequisite, require_java, require_maven


def _provision(_: argparse.Namespace) -> int:
    require_java()
    require_maven()
    print(f"[stack] Apache Kafka jars ready in {provision_jars()}")
    print(f"[stack] Keycloak ready in {provision_distribution()}")
    return 0


def _wait_for_stop_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _run_until_stopped(start: Callable[[], object], stop: Callable[[], object], ready: Callable[[], str]) -> int:
    """Start, print what is ready, serve until Ctrl-C or SIGTERM, and stop (also when starting failed)."""
    try:
        start()
        print(ready(), flush=True)
        _wait_for_stop_signal()
    finally:
        stop()
    return 0


def _infra(args: argparse.Namespace) -> int:
    data = paths.data_dir()
    if args.fresh:
        shutil.rmtree(data, ignore_errors=True)
    infra = Infrastructure.under(data, args.kafka_port, args.kafka_port + 1, args.postgres_port)

    def ready() -> str:
        return f"[stack] Kafka on {infra.kafka.bootstrap}; PostgreSQL at {infra.postgres.url()}"

    return _run_until_stopped(infra.start, infra.stop, ready)


def _keycloak(args: argparse.Namespace) -> int:
    from linkwork_stack.stack import sign_in_lines

    server = KeycloakServer(paths.data_dir() / "keycloak", port=args.keycloak_port)
    print(f"[stack] starting Keycloak on {server.url} (its log: {server.log_file})", flush=True)
    ready = [
        f"[stack] Keycloak ready: {server.url}",
        *sign_in_lines(server.url),
        f"  Tests reuse it with LINKWORK_TEST_KEYCLOAK_URL={server.url}",
    ]
    return _run_until_stopped(server.start, server.stop, lambda: "\n".join(ready))


def _run(args: argparse.Namespace) -> int:
    from linkwork_stack.stack import run_stack

    return run_stack(
        fresh=args.fresh,
        kafka_port=args.kafka_port,
        postgres_port=args.postgres_port,
        http_port_base=args.http_port_base,
        keycloak_port=args.keycloak_port,
        demo=not args.no_demo,
        simulate_people=args.simulate,
    )


def _token(args: argparse.Namespace) -> int:
    import httpx

    username = args.user or USER_FOR_ROLE[args.role]
    try:
        print(KeycloakRealm(args.keycloak_url).token(username))
    except httpx.HTTPError as error:
        print(f"linkwork-stack: no Keycloak at {args.keycloak_url} ({error}); is `make run` up?", file=sys.stderr)
        return 1
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import asyncio
    from functools import partial

    from linkwork_stack.simulator import simulate

    # The referrer and link worker sign in as demo users of the realm, in its demo PCN.
    headers = KeycloakRealm(args.keycloak_url).headers
    outcomes = asyncio.run(
        partial(simulate, args.referral_url, headers, people=args.people, rate=args.rate, seed=args.seed)()
    )
    return 1 if outcomes["failed"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="linkwork-stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    provision = commands.add_parser("provision", help="resolve Apache Kafka and Keycloak with Maven into the cache")
    provision.set_defaults(func=_provision)
    for name, func, help_text in (
        ("infra", _infra, "start only Kafka and PostgreSQL"),
        ("run", _run, "start Kafka, PostgreSQL and the four services"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--fresh", action="store_true", help="delete the data directory first")
        command.add_argument("--kafka-port", type=int, default=9092)
        command.add_argument("--postgres-port", type=int, default=55432)
        command.add_argument(
            "--http-port-base",
            type=int,
            default=8001,
            help="referral, directory, matching, outcomes listen on this port and the next three",
        )
        if name == "run":
            command.add_argument("--keycloak-port", type=int, default=8080)
            command.add_argument("--no-demo", action="store_true", help="do not load the demo directory")
            command.add_argument(
                "--simulate",
                type=int,
                default=0,
                metavar="PEOPLE",
                help="once ready, play a day in the PCN with this many people",
            )
        command.set_defaults(func=func)
    keycloak = commands.add_parser("keycloak", help="start only Keycloak with the linkwork realm")
    keycloak.add_argument("--keycloak-port", type=int, default=8080)
    keycloak.set_defaults(func=_keycloak)
    token = commands.add_parser("token", help="print a demo user's access token from the running stack's Keycloak")
    who = token.add_mutually_exclusive_group()
    who.add_argument("--user", choices=[user.username for user in DEMO_USERS], help="a demo user")
    who.add_argument("--role", default="link_worker", choices=sorted(USER_FOR_ROLE), help="that role's demo user")
    token.add_argument("--keycloak-url", default="http://127.0.0.1:8080")
    token.set_defaults(func=_token)
    simulator = commands.add_parser("simulate", help="play a day in a PCN through the real APIs")
    simulator.add_argument("--referral-url", default="http://127.0.0.1:8001")
    simulator.add_argument("--people", type=int, default=60)
    simulator.add_argument("--rate", type=float, default=2.0, help="new referrals per second")
    simulator.add_argument("--seed", type=int, default=2026)
    simulator.add_argument("--keycloak-url", default="http://127.0.0.1:8080")
    simulator.set_defaults(func=_simulate)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except MissingPrerequisite as error:
        print(f"linkwork-stack: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
