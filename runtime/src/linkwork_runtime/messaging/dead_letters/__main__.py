"""Operator tool for dead letters.

    python -m linkwork_runtime.messaging.dead_letters list referral-created [--consumer matching] [--json]
    python -m linkwork_runtime.messaging.dead_letters replay referral-created --offset 0:17 --offset 2:3
    python -m linkwork_runtime.messaging.dead_letters replay referral-created --all --consumer matching

TOPIC may be the original topic or its `.dlq`. The broker defaults to LINKWORK_KAFKA_BOOTSTRAP_SERVERS; on a broker
with authentication, the LINKWORK_KAFKA_SECURITY_PROTOCOL/SASL_* settings name the consuming service's user (only
it may read its dead letters).
Replaying publishes the original message again to its original topic; consumers that already applied it
skip it (their inbox), so replaying to a topic with several consumers is safe. The DLQ itself is
append-only: a replayed letter stays listed, and one that fails again comes back with a new offset.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Sequence

from linkwork_contracts.topics import dlq, is_dlq

from linkwork_runtime.messaging.dead_letters import DeadLetter
from linkwork_runtime.messaging.dead_letters.topic import read, replay
from linkwork_runtime.settings import ServiceSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m linkwork_runtime.messaging.dead_letters", description="List and re-publish dead letters."
    )
    parser.add_argument("--bootstrap", default=os.environ.get("LINKWORK_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show the dead letters of a topic")
    listing.add_argument("topic")
    listing.add_argument("--consumer", help="only those dead-lettered by this consumer")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    again = commands.add_parser("replay", help="publish dead letters to their original topic again")
    again.add_argument("topic")
    again.add_argument("--consumer", help="only those dead-lettered by this consumer")
    chosen = again.add_mutually_exclusive_group(required=True)
    chosen.add_argument(
        "--offset",
        action="append",
        metavar="PARTITION:OFFSET",
        help="a dead letter's position in the DLQ topic, as shown by list",
    )
    chosen.add_argument("--all", action="store_true", help="every dead letter (after --consumer)")
    return parser


def _as_dict(letter: DeadLetter) -> dict[str, object]:
    failure = letter.failure
    return {
        "dlq_position": f"{letter.dlq_partition}:{letter.dlq_offset}",
        "topic": failure.topic,
        "partition": failure.partition,
        "offset": failure.offset,
        "consumer": failure.consumer,
        "error_type": failure.error_type,
        "error_message": failure.error_message,
        "attempts": failure.attempts,
        "time": failure.time.isoformat(),
        "key": letter.key.decode(errors="replace") if letter.key else None,
    }


def _select(letters: Sequence[DeadLetter], consumer: str | None, offsets: Sequence[str] | None) -> list[DeadLetter]:
    chosen = [letter for letter in letters if consumer is None or letter.failure.consumer == consumer]
    if offsets is None:
        return chosen
    wanted = {tuple(int(part) for part in position.split(":", 1)) for position in offsets}
    found = [letter for letter in chosen if (letter.dlq_partition, letter.dlq_offset) in wanted]
    missing = wanted - {(letter.dlq_partition, letter.dlq_offset) for letter in found}
    if missing:
        raise SystemExit(f"no such dead letter: {', '.join(f'{p}:{o}' for p, o in sorted(missing))}")
    return found


async def _main(args: argparse.Namespace) -> int:
    dlq_topic = args.topic if is_dlq(args.topic) else dlq(args.topic)
    kafka = dataclasses.replace(ServiceSettings().kafka, bootstrap=args.bootstrap)
    letters = _select(await read(kafka, dlq_topic), args.consumer, getattr(args, "offset", None))
    if args.command == "list":
        for letter in letters:
            row = _as_dict(letter)
            if args.json:
                print(json.dumps(row))
            else:
                print(
                    f"{row['dlq_position']:>8}  {row['topic']}[{row['partition']}]@{row['offset']}  "
                    f"{row['consumer']}  {row['error_type']}: {row['error_message']}  "
                    f"(attempts {row['attempts']}, {row['time']})"
                )
        return 0
    refused = await replay(kafka, dlq_topic, letters)
    print(f"replayed {len(letters) - len(refused)} of {len(letters)} dead letters from {dlq_topic}")
    return 1 if refused else 0


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(_main(_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
