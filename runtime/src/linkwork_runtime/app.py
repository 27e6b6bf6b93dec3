"""Builds a service's FastAPI app: database, Kafka reachability, probes, problem details, and its components.

Start-up waits (with backoff, logging why) for PostgreSQL and Kafka instead of crashing, so the stack
can come up in any order; shutdown stops components in reverse order so relays flush and consumers
commit before the pool and the Kafka connection close.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector

from linkwork_runtime.auth import TokenVerifier
from linkwork_runtime.body_limit import BodySizeLimit, Refusal
from linkwork_runtime.context import Component, ServiceContext
from linkwork_runtime.database import open_database
from linkwork_runtime.http_metrics import HttpMetrics, HttpMetricsMiddleware
from linkwork_runtime.logging import configure_logging
from linkwork_runtime.openapi import install as install_openapi
from linkwork_runtime.openapi import operation_id
from linkwork_runtime.probes import KafkaPing, KafkaWatch
from linkwork_runtime.probes import router as probes_router
from linkwork_runtime.problems import docs_router as problem_docs
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
    # Path prefix -> largest body in bytes, where a route needs more than settings.max_body_bytes.
    body_limits: Mapping[str, int] = field(default_factory=dict)
    # Path prefix -> the 413 response in that API's own error format (default: problem details).
    body_refusals: Mapping[str, Refusal] = field(default_factory=dict)


class StartupStopped(Exception):
    """SIGTERM or SIGINT arrived while the service was still waiting for its dependencies."""


@contextlib.asynccontextmanager
async def _stop_signals() -> AsyncIterator[asyncio.Event]:
    """An event set by SIGTERM or SIGINT for as long as start-up lasts.

    uvicorn only looks at its own signal flags once the lifespan's start-up has finished, so a service
    waiting for an absent PostgreSQL would ignore `kubectl delete`, the stack runner and Ctrl-C. Our handlers
    stand in until start-up ends, then uvicorn's are put back for the graceful shutdown it runs.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: dict[signal.Signals, Callable[[int, FrameType | None], Any] | int | None] = {}
    for number in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(number)
        try:
            loop.add_signal_handler(number, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
            continue
        installed[number] = previous
    try:
        yield stop
    finally:
        for number, previous in installed.items():
            loop.remove_signal_handler(number)
            signal.signal(number, previous if previous is not None else signal.SIG_DFL)


async def _with_backoff(
    what: str, attempt: Callable[[], Awaitable[T]], stop: asyncio.Event, max_delay: float = 10.0
) -> T:
    delay = 0.5
    started = asyncio.get_running_loop().time()
    while True:
        try:
            return await _unless_stopped(what, attempt(), stop)
        except StartupStopped:
            raise
        except Exception as error:
            # Connection failures, or the Kafka client's own error types for "no broker yet"; anything else is a bug.
            if not isinstance(error, OSError | TimeoutError | ConnectionError) and "Kafka" not in type(error).__name__:
                raise
            waited = asyncio.get_running_loop().time() - started
            log.warning("waiting for %s (%.0fs so far): %s; retrying in %.1fs", what, waited, error, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            raise StartupStopped(f"stopped by a signal while waiting for {what}")
        delay = min(delay * 2, max_delay)


async def _unless_stopped(what: str, work: Awaitable[T], stop: asyncio.Event) -> T:
    """`work`, abandoned (cancelled) if a stop signal comes first: a connect attempt can hang for minutes."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise StartupStopped(f"stopped by a signal while waiting for {what}")
    return task.result()


def new_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    for collector in (ProcessCollector, PlatformCollector, GCCollector):
        collector(registry=registry)
    return registry


def create_app(definition: ServiceDefinition) -> FastAPI:
    settings = definition.settings
    check_secrets(settings)  # before anything listens: a public default secret is a forged-token licence

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, settings.log_level, settings.log_format)
        registry = new_registry()
        ping = KafkaPing(settings.kafka, client_id=f"linkwork-{definition.name}-probe")
        async with _stop_signals() as stop:
            pool = await _with_backoff(
                "PostgreSQL",
                lambda: open_database(
                    settings.database_url,
                    definition.migrations,
                    max_size=settings.database_pool_size,
                    migration_url=settings.database_migration_url,
                    command_timeout=settings.database_command_timeout,
                ),
                stop,
            )
            # Start-up still waits for Kafka (consumers and producers need it once); an outage later does not
            # stop the API (see probes).
            try:
                await _with_backoff("Kafka", ping.start, stop)
            except BaseException:
                await pool.close()
                raise
        context = ServiceContext(definition.name, settings, pool, registry)
        app.state.context = context
        app.state.http_metrics = HttpMetrics(registry)
        app.state.kafka_watch = KafkaWatch(ping, registry)
        components = [app.state.kafka_watch, *definition.components(context)]
        started: list[Component] = []
        try:
            for component in components:
                await component.start()
                started.append(component)
            for hook in definition.on_ready:
                await hook(context)
            # What start-up made (modules, the app, reference tables, caches) lives as long as the process:
            # frozen, the collector no longer walks it on every full collection under load.
            gc.collect()
            gc.freeze()
            log.info("service ready", extra={"http_port": settings.http_port})
            yield
        finally:
            for component in reversed(started):
                await component.stop()
            await ping.stop()
            await pool.close()
            log.info("service stopped")

    app = FastAPI(
        title=f"linkwork {definition.name}",
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    install_openapi(app)
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    app.add_middleware(HttpMetricsMiddleware, fastapi_app=app)
    # Added last, so outermost: a body too large is refused before routing, authentication or parsing.
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        per_path=definition.body_limits,
        refusals=definition.body_refusals,
    )
    app.include_router(probes_router)
    app.include_router(problem_docs)
    for router in definition.routers:
        app.include_router(router)
    return app
