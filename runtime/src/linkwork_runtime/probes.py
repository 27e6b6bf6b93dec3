"""Liveness, readiness and Prometheus endpoints that every service serves.

Readiness is the database only. A Kafka outage must not take the HTTP API out of service: every state
change writes its events to the outbox in the same transaction, and the relay publishes them once the
broker is back. Kafka's state is reported instead: in /ready's body, in the `linkwork_kafka_reachable`
gauge (kept fresh by KafkaWatch between probes) and in a log line each time it changes; an alert rule
watches the gauge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from linkwork_runtime.context import Context
from linkwork_runtime.database import reachable
from linkwork_runtime.kafka_connection import Kafka, client_options
from linkwork_runtime.problems import Problem

router = APIRouter(tags=["operations"])
PROBE_TIMEOUT = 2.0
log = logging.getLogger(__name__)


class KafkaPing:
    """Asks the cluster to describe itself: an answer within the timeout means Kafka is reachable.

    One admin connection per process, opened at start-up (which waits for Kafka) and reused by every probe.
    """

    def __init__(self, kafka: Kafka, *, client_id: str) -> None:
        self._admin = AIOKafkaAdminClient(**client_options(kafka), client_id=client_id)

    async def start(self) -> None:
        await self._admin.start()

    async def stop(self) -> None:
        await self._admin.close()

    async def __call__(self) -> bool:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                await self._admin.describe_cluster()
        except Exception:  # refused, timed out, or the client's own "no broker" errors: all mean unreachable
            return False
        return True


class KafkaWatch:
    """Pings the broker every `interval` seconds into the `linkwork_kafka_reachable` gauge (1 or 0)."""

    def __init__(self, ping: KafkaPing, registry: CollectorRegistry, interval: float = 15.0) -> None:
        self.ping = ping
        self._interval = interval
        self._gauge = Gauge(
            "linkwork_kafka_reachable",
            "1 when this process's last ping reached a Kafka broker, else 0 (events then wait in the outbox)",
            registry=registry,
        )
        self.reachable = True
        self._gauge.set(1)
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> bool:
        reachable = await self.ping()
        self._gauge.set(1 if reachable else 0)
        if reachable != self.reachable:
            if reachable:
                log.info("Kafka is reachable again: the outbox relay publishes what waited")
            else:
                log.warning("Kafka is unreachable: the API stays up and events wait in the outbox")
        self.reachable = reachable
        return reachable

    async def _run(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self._interval)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="kafka-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@router.get("/health", summary="Liveness: the process is up and serving")
async def health(context: Context) -> dict[str, str]:
    return {"status": "ok", "service": context.name}


@router.get(
    "/ready",
    summary="Readiness: the database is reachable (Kafka's state is reported, but an outage does not fail it)",
)
async def ready(context: Context, request: Request) -> dict[str, object]:
    watch: KafkaWatch = request.app.state.kafka_watch
    checks = {"database": await reachable(context.pool, PROBE_TIMEOUT), "kafka": await watch.check()}
    if not checks["database"]:
        raise Problem(503, "Not ready", "unreachable: database", checks=checks)
    kafka = "reachable" if checks["kafka"] else "unreachable: events wait in the outbox until it is back"
    return {"status": "ready", "service": context.name, "checks": checks, "kafka": kafka}


@router.get("/metrics", summary="Prometheus metrics in text format", response_class=Response)
async def metrics(context: Context) -> Response:
    return Response(generate_latest(context.registry), media_type=CONTENT_TYPE_LATEST)
