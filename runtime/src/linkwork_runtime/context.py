"""What a running service hands to its routes and background components."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

import asyncpg
from fastapi import Depends, Request
from prometheus_client import CollectorRegistry

from linkwork_runtime.settings import ServiceSettings


class Component(Protocol):
    """Something that runs alongside the HTTP API: an outbox relay, a consumer, a scheduler."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class ServiceContext:
    name: str
    settings: ServiceSettings
    pool: asyncpg.Pool
    registry: CollectorRegistry


def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


def get_pool(request: Request) -> asyncpg.Pool:
    return get_context(request).pool


async def _context(request: Request) -> ServiceContext:
    # The dependencies are async so that FastAPI calls them on the event loop: a plain `def` dependency runs
    # in a worker thread, one thread hop per request (seen in bench/profiles). The plain functions stay for
    # code that is not a dependency.
    return get_context(request)


async def _pool(request: Request) -> asyncpg.Pool:
    return get_pool(request)


Context = Annotated[ServiceContext, Depends(_context)]
Pool = Annotated[asyncpg.Pool, Depends(_pool)]
