"""Builds a service's FastAPI app: database, Kafka broker, probes, problem details, and its components.

Start-up waits (with backoff, logging why) for PostgreSQL and Kafka instead of crashing, so the stack
can come up in any order; shutdown stops components in reverse order so relays flush and consumers
commit before the pool and broker close.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector

from linkwork_runtime.auth import TokenVerifier
from linkwork_runtime.context import Component, ServiceContext
from linkwork_runtime.database import open_database
from linkwork_runtime.http_metrics import HttpMetrics, HttpMetricsMiddleware
from linkwork_runtime.logging import configure_logging
from linkwork_runtime.probes import router as probes_router
from linkwork_runtime.problems import install_problem_handlers
from linkwork_runtime.secrets import check_secrets
from linkwork_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class ServiceDefinition:
    name: str
    description: str
    settings: ServiceSettings
    migrations: dict[str, Path]
    routers: Sequence[APIRouter] = ()
    components: Callable[[ServiceContext], Sequence[Component]] = lambda _: ()
    version: str = "0.1.0"
    on_ready: list[Callable[[ServiceContext], Awaitable[None]]] = field(default_factory=list)


async def _with_backoff(what: str, attempt: Callable[[], Awaitable[T]], max_delay: float = 10.0) -> T:
    delay = 0.5
    while True:
        try:
            return await attempt()
        except (OSError, TimeoutError, ConnectionError) as error:
            log.warning("waiting for %s: %s; retrying in %.1fs", what, error, delay)
        except Exception as error:  # the Kafka client raises its own error types for "no broker yet"
            if "Kafka" not in type(error).__name__:
                raise
            log.warning("waiting for %s: %s; retrying in %.1fs", what, error, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)


def new_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    for collector in (ProcessCollector, PlatformCollector, GCCollector):
        collector(registry=registry)
    return registry


def new_broker(name: str, settings: ServiceSettings, registry: CollectorRegistry) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_list,
        client_id=f"linkwork-{name}",
        acks="all",
        enable_idempotence=True,
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=f"linkwork-{name}")],
    )


def create_app(definition: ServiceDefinition) -> FastAPI:
    settings = definition.settings
    check_secrets(settings)  # before anything listens: a public default secret is a forged-token licence

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, settings.log_level)
        registry = new_registry()
        broker = new_broker(definition.name, settings, registry)
        pool = await _with_backoff(
            "PostgreSQL",
            lambda: open_database(
                settings.database_url,
                definition.migrations,
                max_size=settings.database_pool_size,
                migration_url=settings.database_migration_url,
            ),
        )
        await _with_backoff("Kafka", broker.start)
        context = ServiceContext(definition.name, settings, pool, broker, registry)
        app.state.context = context
        app.state.http_metrics = HttpMetrics(registry)
        components = list(definition.components(context))
        started: list[Component] = []
        try:
            for component in components:
                await component.start()
                started.append(component)
            for hook in definition.on_ready:
                await hook(context)
            log.info("service ready", extra={"http_port": settings.http_port})
            yield
        finally:
            for component in reversed(started):
                await component.stop()
            await broker.stop()
            await pool.close()
            log.info("service stopped")

    app = FastAPI(
        title=f"linkwork {definition.name}",
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
    )
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    app.add_middleware(HttpMetricsMiddleware, fastapi_app=app)
    app.include_router(probes_router)
    for router in definition.routers:
        app.include_router(router)
    return app
