"""A consuming service for the fault tests: applies sample events to the effect table until SIGTERM.

python consume.py DATABASE_URL BOOTSTRAP TOPIC CONSUMER_NAME [--delay-ms N]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_runtime.database import create_pool
from linkwork_runtime.messaging import ConsumerRunner, Handlers
from messaging_support import Sample, record_effect, sample_type


async def main(args: argparse.Namespace) -> None:
    sample = sample_type(args.topic)
    handlers = Handlers()

    @handlers.on(sample)
    async def apply(event: Sample, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        if args.delay_ms:
            await asyncio.sleep(args.delay_ms / 1000)
        await record_effect(event, envelope, connection)

    pool = await create_pool(args.database_url, max_size=6)
    runner = ConsumerRunner(
        args.name,
        pool,
        args.bootstrap,
        handlers,
        batch_size=100,
        consumer_options={"group_instance_id": f"{args.name}-0"},
    )
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await runner.start()
    print("ready", flush=True)
    await stop.wait()
    await runner.stop()
    await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("database_url", "bootstrap", "topic", "name"):
        parser.add_argument(name)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    asyncio.run(main(parser.parse_args()))
