"""Wires the console: its session database, the OpenID Connect client, the services' client, the NHS.UK
frontend assets and the pages."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from linkwork_runtime.app import new_registry
from linkwork_runtime.database import open_database, reachable
from linkwork_runtime.http_metrics import HttpMetrics, HttpMetricsMiddleware
from linkwork_runtime.logging import configure_logging
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware.gzip import GZipMiddleware

from linkwork_console.adapters.oidc import OidcClient
from linkwork_console.adapters.services import Services, UpstreamError
from linkwork_console.adapters.sessions import PostgresSessionStore, SessionStore
from linkwork_console.settings import Settings
from linkwork_console.web import auth, capacity, curation, pages, provider, reports, tasks, team
from linkwork_console.web.deps import CsrfFailed, Pages, SignInRequired, sign_in_location
from linkwork_console.web.filters import install_filters
from linkwork_console.web.session_middleware import AssetCaching, ServerTimingMiddleware, SessionMiddleware

NAME = "console"
MIGRATIONS = Path(__file__).parent / "migrations"
TEMPLATES = Path(__file__).parent / "templates"
log = logging.getLogger(__name__)


def templates() -> Environment:
    # ChainableUndefined: the NHS.UK macros read optional nested parameters (params.hint.text) freely.
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja")]),
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_filters(environment)
    return environment


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    if not (settings.assets_dir / "nhsuk-frontend.min.css").is_file():
        raise RuntimeError(f"NHS.UK frontend assets not found in {settings.assets_dir}: run `make install`")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(NAME, settings.log_level)
        pool = await open_database(settings.database_url, {NAME: MIGRATIONS}, max_size=settings.database_pool_size)
        registry = new_registry()
        app.state.registry = registry
        app.state.http_metrics = HttpMetrics(registry)
        app.state.pool = pool
        app.state.sessions = PostgresSessionStore(
            pool, timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_max_hours)
        )
        client = httpx.AsyncClient(timeout=settings.upstream_timeout_seconds, limits=httpx.Limits(max_connections=100))
        app.state.services = Services(
            client,
            {
                "referral": settings.referral_url.rstrip("/"),
                "directory": settings.directory_url.rstrip("/"),
                "matching": settings.matching_url.rstrip("/"),
                "outcomes": settings.outcomes_url.rstrip("/"),
                "notifications": settings.notifications_url.rstrip("/"),
            },
        )
        log.info("console ready", extra={"http_port": settings.http_port})
        try:
            yield
        finally:
            await client.aclose()
            await pool.close()

    app = FastAPI(title="linkwork console", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.pages = Pages(templates())
    app.state.oidc = OidcClient(
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
        settings.oidc_scope,
        settings.upstream_timeout_seconds,
    )

    def store() -> SessionStore:
        sessions: SessionStore = app.state.sessions
        return sessions

    # The stylesheet refers to /assets/images/...; those files sit one folder deeper in the package.
    # Versioned paths (/assets/<version>/...), so the long-lived caching below never serves a stale file after
    # an upgrade. The stylesheet refers to /assets/images/...: those are served unversioned, cached a day.
    version = _frontend_version(settings.assets_dir)
    app.state.pages.environment.globals["assets"] = f"/assets/{version}"
    app.mount("/assets/images", StaticFiles(directory=settings.assets_dir / "assets" / "images"), name="images")
    app.mount(f"/assets/{version}", StaticFiles(directory=settings.assets_dir), name="assets")
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(tasks.router)
    app.include_router(provider.router)
    app.include_router(capacity.router)
    app.include_router(curation.router)
    app.include_router(reports.router)
    app.include_router(team.router)
    app.state.users_admin_url = settings.users_admin_link
    _install_handlers(app)
    _install_probes(app)
    app.add_middleware(
        SessionMiddleware,
        store=store,
        cookie_name="__Host-linkwork-session" if settings.secure_cookies else "linkwork-session",
        secure=settings.secure_cookies,
    )
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(AssetCaching)
    app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(HttpMetricsMiddleware, fastapi_app=app)
    return app


def _frontend_version(assets: Path) -> str:
    """The installed nhsuk-frontend's version, from its package.json (two folders up from dist/nhsuk)."""
    package = assets.parent.parent / "package.json"
    try:
        return str(json.loads(package.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "current"


def _install_handlers(app: FastAPI) -> None:
    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(sign_in_location(exc.next_path), status_code=303)

    async def on_csrf(request: Request, exc: Exception) -> Response:
        page: Pages = app.state.pages
        return page.render(
            request,
            "error.html",
            400,
            title="This form has expired",
            detail="Go back, reload the page and send the form again.",
        )

    async def on_upstream(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UpstreamError)
        page: Pages = app.state.pages
        if exc.status == 401:
            request.state.session.end()
            return RedirectResponse(sign_in_location(request.url.path), status_code=303)
        if exc.status in (403, 404):
            # The same answer for "not yours" and "not there": a record outside one's PCN is not confirmed to exist.
            return page.render(
                request, "error.html", 404, title="Page not found", detail="There is no record here that you can see."
            )
        log.warning("upstream call failed: %s %s: %s", exc.status, exc.title, exc.detail)
        return page.render(
            request, "error.html", 502, title="Sorry, there is a problem with the service", detail="Try again later."
        )

    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(CsrfFailed, on_csrf)
    app.add_exception_handler(UpstreamError, on_upstream)


def _install_probes(app: FastAPI) -> None:
    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": NAME}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> Response:
        ok = await reachable(app.state.pool, within=2.0)
        return Response(
            f'{{"status": "{"ready" if ok else "not ready"}", "service": "{NAME}"}}',
            status_code=200 if ok else 503,
            media_type="application/json",
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(app.state.registry), media_type=CONTENT_TYPE_LATEST)
