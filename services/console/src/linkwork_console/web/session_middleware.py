"""ASGI middleware giving each request its server-side session (`request.state.session`) and writing it
back, with the cookie, only when it changed; it also sets the headers every console page carries."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linkwork_console.adapters.sessions import Session, SessionStore, utc_now

# Paths that never need a session: no database read for assets, probes or metrics.
SESSIONLESS = ("/assets/", "/health", "/ready", "/metrics", "/favicon.ico")

SECURITY_HEADERS = [
    # Case records must not linger in shared computers' caches.
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]


def content_security_policy(nonce: str) -> bytes:
    # The NHS.UK page template's one inline script (it marks the body js-enabled) runs by nonce; the
    # provider's sign-in and sign-out pages are reached by redirects, which form-action must allow.
    return (
        f"default-src 'self'; img-src 'self' data:; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
        "frame-ancestors 'none'; form-action 'self' http: https:; base-uri 'none'"
    ).encode()


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>` on every answer: the time from request in to response headers out, what
    the console benchmark reports and what browsers' developer tools show."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers = [*message.get("headers", []), (b"server-timing", f"app;dur={took:.1f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)


class AssetCaching:
    """Assets are served under versioned names (the nhsuk-frontend version is in the file name or path), so
    browsers may keep them a year without asking again: later pages then weigh only their HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/assets/"):
            await self.app(scope, receive, send)
            return
        images = scope["path"].startswith("/assets/images/")

        async def cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                policy = b"public, max-age=86400" if images else b"public, max-age=31536000, immutable"
                headers = [*message.get("headers", []), (b"cache-control", policy)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, cached)


class SessionMiddleware:
    def __init__(self, app: ASGIApp, store: Callable[[], SessionStore], *, cookie_name: str, secure: bool) -> None:
        self.app = app
        self.store = store  # resolved per request: the pool behind it opens in the app's lifespan
        self.cookie_name = cookie_name
        self.secure = secure

    def _cookie(self, value: str, max_age: int | None) -> bytes:
        parts = [f"{self.cookie_name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        return "; ".join(parts).encode()

    def _session_id(self, scope: Scope) -> str | None:
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # a malformed Cookie header from a browser extension is not our error
                    return None
                if self.cookie_name in cookie:
                    return cookie[self.cookie_name].value
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SESSIONLESS):
            await self.app(scope, receive, send)
            return
        store = self.store()
        now = utc_now()
        session_id = self._session_id(scope)
        session: Session | None = None
        if session_id:
            session = await store.load(session_id, now)
        if session is None:
            session = Session.start(now)
        nonce = secrets.token_urlsafe(16)
        state = scope.setdefault("state", {})
        state["session"] = session
        state["csp_nonce"] = nonce

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if session.ended:
                    await store.delete(session.id)
                    if session.previous_id:
                        await store.delete(session.previous_id)
                    headers.append((b"set-cookie", self._cookie("", 0)))
                elif session.dirty:
                    await store.save(session, utc_now())
                    headers.append((b"set-cookie", self._cookie(session.id, None)))
                headers.extend(SECURITY_HEADERS)
                headers.append((b"content-security-policy", content_security_policy(nonce)))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_session)
