"""Fixtures of the console's tests: the app on a scratch database, and signed-in sessions made directly in
the session store (the real sign-in through Keycloak is tested in tests/console)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from linkwork_console.adapters.sessions import PostgresSessionStore, Session
from linkwork_console.app import build_app
from linkwork_console.settings import Settings


@pytest.fixture
async def console(database_url: str) -> AsyncIterator[FastAPI]:
    app = build_app(Settings(database_url=database_url, oidc_issuer="http://127.0.0.1:9/realms/none"))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def browser(console: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=console)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8005") as client:
        yield client


SignIn = Callable[..., Awaitable[Session]]


@pytest.fixture
def sign_in(console: FastAPI, browser: httpx.AsyncClient) -> SignIn:
    """Put a signed-in session in the store and its cookie in the client, as the OIDC callback would."""

    async def make(
        token: str = "not-a-real-token", role: str = "link_worker", pcn: str = "U00001", subject: str = "lw-1"
    ) -> Session:
        store: PostgresSessionStore = console.state.sessions
        now = datetime.now(UTC)
        session = Session.start(now)
        session.set("user", {"sub": subject, "name": "Lee Worker", "role": role, "pcn": pcn})
        session.set(
            "tokens", {"access_token": token, "refresh_token": None, "id_token": None, "expires_at": time.time() + 3600}
        )
        await store.save(session, now)
        browser.cookies.clear()  # a cookie the console set earlier would otherwise win
        browser.cookies.set("linkwork-session", session.id)
        return session

    return make
