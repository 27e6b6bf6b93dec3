"""Runs the matching service as its own process, as deployed, for the HTTP and replay benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from linkwork_stack.ports import free_port

JWT_SECRET = "matching-benchmark-jwt-secret-0123456789abcdef"


@contextlib.asynccontextmanager
async def running_service(
    database_url: str,
    kafka: str,
    topic_prefix: str,
    log: Path,
    *,
    ready_within: float = 900.0,
    profile: Path | None = None,
) -> AsyncIterator[tuple[str, float]]:
    """Start `python -m linkwork_matching`; yield its base URL and seconds until it answered.

    With `profile`, PyPI's py-spy (installed in the same environment) samples the process from its
    start until it exits and writes a flame graph there.
    """
    port = free_port()
    env = {
        **os.environ,
        "LINKWORK_DATABASE_URL": database_url,
        "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": kafka,
        "LINKWORK_HTTP_PORT": str(port),
        "LINKWORK_JWT_SECRET": JWT_SECRET,
        "LINKWORK_TOPIC_PREFIX": topic_prefix,
        "LINKWORK_CONSUMER_GROUP_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "LINKWORK_READ_MODEL_CATCH_UP_SECONDS": str(ready_within),
        "LINKWORK_LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "linkwork_matching", env=env, stdout=output, stderr=asyncio.subprocess.STDOUT
        )
    profiler = None
    if profile is not None:
        # py-spy attaches to the running service rather than starting it, so the service is the same
        # process, with the same environment, as when not profiled.
        profiler = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--format",
            "flamegraph",
            "--rate",
            "200",
            "--output",
            str(profile),
            "--pid",
            str(process.pid),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            while True:
                if process.returncode is not None:
                    raise RuntimeError(f"the service exited with {process.returncode}; see {log}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{base}/health", timeout=1)).status_code == 200:
                        break
                if time.perf_counter() - started > ready_within:
                    raise TimeoutError("the service did not start")
                await asyncio.sleep(0.2)
        yield base, time.perf_counter() - started
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        if profiler is not None:
            await profiler.wait()  # it writes the flame graph once the service has exited
