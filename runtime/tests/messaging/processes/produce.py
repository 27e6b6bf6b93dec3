"""A producing service for the fault tests: records TOTAL sample events through the outbox, a few per
transaction together with a `produced` row (its "state change"), while its relay publishes them.
Resumes where the last run's commits stopped; runs until SIGTERM.

    python produce.py DATABASE_URL BOOTSTRAP TOPIC TOTAL STREAMS
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

import asyncpg
from linkwork_runtime.database import create_pool
from linkwork_runtime.messaging import OutboxRelay, add
from messaging_support import sample_type

PER_TRANSACTION = 5


def event_at(n: int, streams: int) -> tuple[str, int]:
    """The n-th event overall: streams take turns, each counting 1, 2, 3..."""
    return f"s{n % streams}", n // streams + 1


async def write(pool: asyncpg.Pool, topic: str, total: int, streams: int, stop: asyncio.Event) -> None:
    sample = sample_type(topic)
    n = int(await pool.fetchval("SELECT count(*) FROM produced"))
    while n < total and not stop.is_set():
        async with pool.acquire() as connection, connection.transaction():
            for m in range(n, min(total, n + PER_TRANSACTION)):
                stream, seq = event_at(m, streams)
                await connection.execute("INSERT INTO produced (stream, seq) VALUES ($1, $2)", stream, seq)
                await add(connection, sample(stream=stream, seq=seq), source="fault-test")
        n = min(total, n + PER_TRANSACTION)
        await asyncio.sleep(0)


async def main(args: argparse.Namespace) -> None:
    pool = await create_pool(args.database_url, max_size=4)
    relay = OutboxRelay(pool, args.bootstrap, poll_interval=0.2, batch_size=200)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await relay.start()
    print("ready", flush=True)
    await write(pool, args.topic, args.total, args.streams, stop)
    await stop.wait()
    await relay.stop()
    await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("database_url", "bootstrap", "topic"):
        parser.add_argument(name)
    parser.add_argument("total", type=int)
    parser.add_argument("streams", type=int)
    asyncio.run(main(parser.parse_args()))
