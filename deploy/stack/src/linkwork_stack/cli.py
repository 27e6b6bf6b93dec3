"""`linkwork-stack`: provision, start infrastructure, run the whole stack, mint development tokens."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading

from linkwork_stack import paths
from linkwork_stack.infrastructure import Infrastructure
from linkwork_stack.kafka import provision_jars
from linkwork_stack.prerequisites import MissingPrerequisite, require_java, require_maven


def _provision(_: argparse.Namespace) -> int:
    require_java()
    require_maven()
    print(f"[stack] Apache Kafka jars ready in {provision_jars()}")
    return 0


def _wait_for_stop_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _infra(args: argparse.Namespace) -> int:
    data = paths.data_dir()
    if args.fresh:
        shutil.rmtree(data, ignore_errors=True)
    infra = Infrastructure.under(data, args.kafka_port, args.kafka_port + 1, args.postgres_port)
    try:
        infra.start()
        print(f"[stack] Kafka on {infra.kafka.bootstrap}; PostgreSQL at {infra.postgres.url()}", flush=True)
        _wait_for_stop_signal()
    finally:
        infra.stop()
    return 0


def _run(args: argparse.Namespace) -> int:
    from linkwork_stack.stack import run_stack

    return run_stack(
        fresh=args.fresh,
        kafka_port=args.kafka_port,
        postgres_port=args.postgres_port,
        http_port_base=args.http_port_base,
        demo=not args.no_demo,
        simulate_people=args.simulate,
    )


def _token(args: argparse.Namespace) -> int:
    from linkwork_stack.tokens import development_token

    print(development_token(role=args.role, pcn=args.pcn, subject=args.subject))
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import asyncio
    from functools import partial

    from linkwork_stack.simulator import simulate
    from linkwork_stack.tokens import development_token

    def headers(role: str, subject: str = "simulator", organisation: str | None = None) -> dict[str, str]:
        token = development_token(role=role, pcn=args.pcn, subject=subject, organisation=organisation)
        return {"Authorization": f"Bearer {token}"}

    outcomes = asyncio.run(
        partial(simulate, args.referral_url, headers, people=args.people, rate=args.rate, seed=args.seed)()
    )
    return 1 if outcomes["failed"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="linkwork-stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    provision = commands.add_parser("provision", help="resolve Apache Kafka with Maven into the cache")
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
            command.add_argument("--no-demo", action="store_true", help="do not load the demo directory")
            command.add_argument(
                "--simulate",
                type=int,
                default=0,
                metavar="PEOPLE",
                help="once ready, play a day in the PCN with this many people",
            )
        command.set_defaults(func=func)
    token = commands.add_parser("token", help="print a development JWT (HS256, local secret)")
    token.add_argument(
        "--role", default="link_worker", choices=["referrer", "link_worker", "pcn_admin", "commissioner", "curator"]
    )
    token.add_argument("--pcn", default="U00001")
    token.add_argument("--subject", default="dev-user")
    token.set_defaults(func=_token)
    simulator = commands.add_parser("simulate", help="play a day in a PCN through the real APIs")
    simulator.add_argument("--referral-url", default="http://127.0.0.1:8001")
    simulator.add_argument("--people", type=int, default=60)
    simulator.add_argument("--rate", type=float, default=2.0, help="new referrals per second")
    simulator.add_argument("--seed", type=int, default=2026)
    simulator.add_argument("--pcn", default="U00001")
    simulator.set_defaults(func=_simulate)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except MissingPrerequisite as error:
        print(f"linkwork-stack: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
