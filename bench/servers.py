"""A benchmark's own Kafka broker and PostgreSQL server in a temporary folder, so that other work on the
shared development servers does not disturb it (the machine itself is still shared)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from linkwork_stack.kafka import KafkaBroker
from linkwork_stack.ports import free_port
from linkwork_stack.postgres import PostgresServer


@asynccontextmanager
async def own_servers(folder_prefix: str, *, sasl: bool = False) -> AsyncIterator[tuple[KafkaBroker, PostgresServer]]:
    """Both started side by side, stopped and their folder removed afterwards.

    `sasl`: the broker with SASL users and ACLs, and an unauthenticated listener beside it (`open_bootstrap`).
    """
    folder = Path(tempfile.mkdtemp(prefix=folder_prefix))
    broker = KafkaBroker(
        folder / "kafka",
        port=free_port(),
        controller_port=free_port(),
        secured=sasl,
        open_port=free_port() if sasl else None,
    )
    server = PostgresServer(folder / "postgres", port=free_port())
    try:
        await asyncio.gather(asyncio.to_thread(broker.start), asyncio.to_thread(server.start))
        yield broker, server
    finally:
        await asyncio.gather(asyncio.to_thread(broker.stop), asyncio.to_thread(server.stop))
        shutil.rmtree(folder, ignore_errors=True)
