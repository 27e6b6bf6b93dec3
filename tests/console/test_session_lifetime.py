"""Sessions against the real provider: an access token about to run out is refreshed with Keycloak on the next
page; a session past its expiry sends the person to sign in again; cookies are HttpOnly and SameSite=Lax."""

from __future__ import annotations

import hashlib
import json

import asyncpg
import pytest
from playwright.async_api import Browser

from .conftest import ConsoleSystem
from .pages import sign_in

pytestmark = pytest.mark.e2e


async def test_token_refresh_and_session_expiry(stack: ConsoleSystem, chromium: Browser) -> None:
    context = await chromium.new_context()
    page = await context.new_page()
    database = await asyncpg.connect(stack.system.infra.postgres.url("console"))
    try:
        await sign_in(page, stack.url, "link-worker")
        [cookie] = [c for c in await context.cookies() if c["name"] == "linkwork-session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        # The console stores the SHA-256 of the cookie's id, never the id itself.
        key = hashlib.sha256(cookie["value"].encode()).digest()
        assert await database.fetchval("SELECT count(*) FROM console_sessions WHERE id_hash = $1", key) == 1

        async def tokens() -> dict[str, object]:
            found = await database.fetchval("SELECT data->'tokens' FROM console_sessions WHERE id_hash = $1", key)
            return dict(json.loads(found))

        before = await tokens()
        # The access token is treated as expired: the next page must refresh it at the provider and carry on.
        await database.execute("UPDATE console_sessions SET data = jsonb_set(data, '{tokens,expires_at}', '0'::jsonb)")
        await page.goto(f"{stack.url}/caseload")
        assert (await page.locator("h1").inner_text()) == "Caseload"
        after = await tokens()
        assert after["access_token"] != before["access_token"] and float(str(after["expires_at"])) > 0

        # The session itself has run out (idle or absolute limit): the console sends the browser through the
        # provider's sign-in again. Keycloak still has its own single sign-on session, so it comes straight back,
        # but into a new console session with a new id.
        await database.execute(
            "UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1", key
        )
        redirects: list[str] = []
        page.on("request", lambda request: redirects.append(request.url))
        await page.goto(f"{stack.url}/caseload")
        assert any("/sign-in" in url for url in redirects) and any("/realms/" in url for url in redirects)
        [renewed] = [c for c in await context.cookies() if c["name"] == "linkwork-session"]
        assert renewed["value"] != cookie["value"]
    finally:
        await database.close()
        await context.close()
