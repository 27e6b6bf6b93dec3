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


Context = Annotated[ServiceContext, Depends(get_context)]
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
