"""Test support: run a service app in-process, lifespan included, and talk to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def running_app(app: FastAPI, base_url: str = "http://service.test") -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (migrations, broker, components), yield a client, then shut it down."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
