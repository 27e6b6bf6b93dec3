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
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import asyncpg
from linkwork_runtime.kafka_connection import Kafka
from linkwork_runtime.logging import configure_logging
from linkwork_runtime.migrations import migrate

from linkwork_outcomes.adapters.kafka_history import KafkaHistory, KafkaShareHistory, consumed_topics
from linkwork_outcomes.adapters.projection_store import PostgresFactSink, PostgresRebuildStore
from linkwork_outcomes.app import COMPONENT_MIGRATIONS
from linkwork_outcomes.service_layer.ports import Replayed, Replayer, Share
from linkwork_outcomes.service_layer.rebuild import RebuildResult, rebuild
from linkwork_outcomes.service_layer.replay import replay_share
from linkwork_outcomes.settings import Settings

MODULE = "linkwork_outcomes.entrypoints.rebuild_projections"


def command(database_url: str, bootstrap: str, topic_prefix: str) -> list[str]:
    """The command line an operator runs to rebuild the projections of `database_url`, in its own process."""
    return [
        sys.executable,
        "-m",
        MODULE,
        "--database-url",
        database_url,
        "--bootstrap",
        bootstrap,
        "--topic-prefix",
        topic_prefix,
    ]


async def _replay_share(database_url: str, bootstrap: Kafka, share: Share) -> Replayed:
    connection = await asyncpg.connect(database_url)
    try:
        return await replay_share(KafkaShareHistory(bootstrap, share), PostgresFactSink(connection))
    finally:
        await connection.close()


def _replay_process(database_url: str, bootstrap: Kafka, share: Share) -> Replayed:
    """Entry point of a replay process."""
    # Millions of short-lived objects without reference cycles: reference counting frees them,
    # and the cyclic collector would only walk the heap over and over.
    gc.disable()
    return asyncio.run(_replay_share(database_url, bootstrap, share))


def _replayer(database_url: str, bootstrap: Kafka) -> Replayer:
    """Replays shares into the database: one in this process, several in as many fresh processes."""

    async def replay(shares: list[Share]) -> list[Replayed]:
        if len(shares) <= 1:
            return [await _replay_share(database_url, bootstrap, share) for share in shares]
        loop = asyncio.get_running_loop()
        # Fresh interpreters ("spawn"): forking a process that holds open connections is unsafe.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=len(shares), mp_context=context) as pool:
            return list(
                await asyncio.gather(
                    *(loop.run_in_executor(pool, _replay_process, database_url, bootstrap, s) for s in shares)
                )
            )

    return replay


async def run(database_url: str, bootstrap: Kafka, topic_prefix: str, workers: int = 1) -> RebuildResult:
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection, COMPONENT_MIGRATIONS)
    finally:
        await connection.close()
    writer = await asyncpg.connect(database_url)
    reader = await asyncpg.connect(database_url)
    try:
        return await rebuild(
            PostgresRebuildStore(writer, reader),
            KafkaHistory(bootstrap, consumed_topics(topic_prefix)),
            _replayer(database_url, bootstrap),
            workers=workers,
        )
    finally:
        await reader.close()
        await writer.close()


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__)
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
