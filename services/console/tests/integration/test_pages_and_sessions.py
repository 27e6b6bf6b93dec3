"""The console's own behaviour against its real PostgreSQL: assets, sessions, cookies, CSRF, sign-in redirects."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from ..conftest import SignIn

pytestmark = pytest.mark.integration


async def test_start_page_renders_with_nhs_frontend_and_leaves_no_session(
    browser: httpx.AsyncClient, console: FastAPI
) -> None:
    page = await browser.get("/")
    assert page.status_code == 200
    assert "<title>linkwork \u2013 linkwork</title>" in page.text
    assert "/assets/10.6.1/nhsuk-frontend.min.css" in page.text
    assert "app;dur=" in page.headers["server-timing"]
    assert "set-cookie" not in page.headers
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert await console.state.pool.fetchval("SELECT count(*) FROM console_sessions") == 0
    css = await browser.get("/assets/10.6.1/nhsuk-frontend.min.css", headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200 and css.headers["content-encoding"] == "gzip"
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    icon = await browser.get("/assets/images/favicon.ico")
    assert icon.status_code == 200


async def test_a_page_needing_sign_in_redirects_to_sign_in_with_the_way_back(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/caseload?view=unassigned")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fcaseload%3Fview%3Dunassigned"


async def test_sign_in_says_so_when_the_provider_is_unreachable(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/sign-in")
    assert answer.status_code == 503
    assert "Sign-in is unavailable" in answer.text


async def test_a_form_without_the_session_csrf_token_is_refused(browser: httpx.AsyncClient, sign_in: SignIn) -> None:
    await sign_in()
    answer = await browser.post("/sign-out", data={"csrf_token": "guess"})
    assert answer.status_code == 400
    assert "This form has expired" in answer.text


async def test_sign_out_ends_the_server_side_session_and_clears_the_cookie(
    browser: httpx.AsyncClient, sign_in: SignIn, console: FastAPI
) -> None:
    session = await sign_in()
    answer = await browser.post("/sign-out", data={"csrf_token": session.csrf_token})
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "Max-Age=0" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert await console.state.pool.fetchval("SELECT count(*) FROM console_sessions") == 0


async def test_session_cookie_is_secure_when_not_served_on_loopback() -> None:
    from linkwork_console.settings import Settings

    assert Settings(public_url="https://console.example.nhs.uk").secure_cookies
    assert not Settings(public_url="http://127.0.0.1:8005").secure_cookies
