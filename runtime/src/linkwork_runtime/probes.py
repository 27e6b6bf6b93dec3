"""Liveness, readiness and Prometheus endpoints that every service serves."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from linkwork_runtime.context import Context
from linkwork_runtime.problems import Problem

router = APIRouter(tags=["operations"])
PROBE_TIMEOUT = 2.0


@router.get("/health", summary="Liveness: the process is up and serving")
async def health(context: Context) -> dict[str, str]:
    return {"status": "ok", "service": context.name}


async def _database_ok(context: Context) -> bool:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            return bool(await context.pool.fetchval("SELECT 1") == 1)
    except (OSError, TimeoutError, Exception):
        return False


@router.get("/ready", summary="Readiness: the database and Kafka are reachable")
async def ready(context: Context) -> dict[str, object]:
    checks = {"database": await _database_ok(context), "kafka": await context.broker.ping(PROBE_TIMEOUT)}
    if not all(checks.values()):
        failing = ", ".join(name for name, ok in checks.items() if not ok)
        raise Problem(503, "Not ready", f"unreachable: {failing}", checks=checks)
    return {"status": "ready", "service": context.name, "checks": checks}


@router.get("/metrics", summary="Prometheus metrics in text format", response_class=Response)
async def metrics(context: Context) -> Response:
    return Response(generate_latest(context.registry), media_type=CONTENT_TYPE_LATEST)
