"""Issue 19: the task list page reads the notifications service with the person's own token; each task links
to its referral; an unavailable notifications service is said so, not an error page."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from linkwork_console.adapters.sessions import PostgresSessionStore, Session
from linkwork_console.app import build_app
from linkwork_console.settings import Settings

pytestmark = pytest.mark.integration

REFERRAL = "6f1c2a4e-3b7d-4c1e-9a2f-0d5e8b7c6a11"
TASKS = [
    {
        "kind": "follow-up-due",
        "referral_id": REFERRAL,
        "due_on": "2026-12-07",
        "link_worker_id": "lw-1",
        "detail": "review",
        "href": f"/referrals/{REFERRAL}",
    },
    {
        "kind": "undeliverable",
        "referral_id": REFERRAL,
        "due_on": "2026-12-07",
        "link_worker_id": "lw-1",
        "detail": "could not reach by SMS (invalid-recipient)",
        "href": f"/referrals/{REFERRAL}",
    },
]


class _Notifications(BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        data = json.dumps({"tasks": TASKS}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def notifications() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Notifications)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def _page(database_url: str, notifications_url: str, role: str = "link_worker") -> httpx.Response:
    settings = Settings(
        database_url=database_url, oidc_issuer="http://127.0.0.1:9/realms/none", notifications_url=notifications_url
    )
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        return await _signed_in_get(app, "/tasks", role)


async def _signed_in_get(app: FastAPI, path: str, role: str) -> httpx.Response:
    store: PostgresSessionStore = app.state.sessions
    now = datetime.now(UTC)
    session = Session.start(now)
    session.set("user", {"sub": "lw-1", "name": "Lee Worker", "role": role, "pcn": "U00001"})
    session.set(
        "tokens",
        {
            "access_token": "the-person-s-token",
            "refresh_token": None,
            "id_token": None,
            "expires_at": time.time() + 3600,
        },
    )
    await store.save(session, now)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8005") as client:
        client.cookies.set("linkwork-session", session.id)
        return await client.get(path)


async def test_tasks_link_to_referrals_and_use_the_person_s_token(database_url: str, notifications: str) -> None:
    _Notifications.seen.clear()
    page = await _page(database_url, notifications)
    assert page.status_code == 200, page.text
    assert "Follow-up due" in page.text and "Message not delivered" in page.text
    assert "could not reach by SMS (invalid-recipient)" in page.text
    assert page.text.count(f'href="/referrals/{REFERRAL}"') == 2
    assert _Notifications.seen == [("/tasks?mine=true", "Bearer the-person-s-token")]


async def test_an_unavailable_notifications_service_is_said_so(database_url: str) -> None:
    page = await _page(database_url, "http://127.0.0.1:9")
    assert page.status_code == 200
    assert "Tasks are unavailable" in page.text


async def test_other_roles_cannot_see_tasks(database_url: str, notifications: str) -> None:
    page = await _page(database_url, notifications, role="commissioner")
    assert page.status_code == 403
