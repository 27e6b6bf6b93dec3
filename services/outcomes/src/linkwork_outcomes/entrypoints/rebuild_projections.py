"""`python -m linkwork_outcomes.entrypoints.rebuild_projections`: rebuild the outcomes projections from Kafka history.

Empties the projection tables of the database in LINKWORK_DATABASE_URL (or --database-url) and
replays every topic the service consumes from its first offset. Prints what it did as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import os
import sys

import asyncpg
from linkwork_runtime.kafka_connection import Kafka
from linkwork_runtime.logging import configure_logging
from linkwork_runtime.migrations import migrate

from linkwork_outcomes.app import COMPONENT_MIGRATIONS
from linkwork_outcomes.service_layer.rebuild import RebuildResult, rebuild
from linkwork_outcomes.settings import Settings


async def run(database_url: str, bootstrap: Kafka, topic_prefix: str, workers: int = 1) -> RebuildResult:
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection, COMPONENT_MIGRATIONS)
    finally:
        await connection.close()
    return await rebuild(database_url, bootstrap, topic_prefix, workers=workers)


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m linkwork_outcomes.entrypoints.rebuild_projections", description=__doc__
    )
    parser.add_argument("--database-url", default=settings.database_url)
    parser.add_argument("--bootstrap", default=settings.kafka_bootstrap_servers)
    parser.add_argument("--topic-prefix", default=settings.topic_prefix)
    # Kafka and PostgreSQL need CPU too: decode in parallel only with cores to spare (measured: on two
    # cores a second process is slower, as it mostly takes time from the broker and the database).
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, min(4, (os.cpu_count() or 1) // 2)),
        help="processes decoding the replay (default: half the cores, at most 4)",
    )
    args = parser.parse_args(argv)
    configure_logging("outcomes-rebuild", settings.log_level, settings.log_format)
    # A replay allocates millions of short-lived objects without reference cycles; the cyclic
    # collector would repeatedly walk the whole heap for nothing. Reference counting frees them.
    gc.disable()
    try:
        kafka = dataclasses.replace(settings.kafka, bootstrap=args.bootstrap)
        result = asyncio.run(run(args.database_url, kafka, args.topic_prefix, args.workers))
    finally:
        gc.enable()
    print(
        json.dumps(
            {
                "records": result.records,
                "events": result.events,
                "skipped": result.skipped,
                "referrals_projected": result.referrals,
                "seconds": result.seconds,
                "records_per_second": round(result.events_per_second),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
