"""Prometheus metrics for every HTTP request a service answers, labelled by route template.

The label is the route's path template (`/referrals/{referral_id}`), never the concrete path, so that
identifiers do not create a time series each.
"""

from __future__ import annotations

import time

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "unmatched"


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "linkwork_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=registry
        )
        self.duration = Histogram(
            "linkwork_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=registry,
        )


def _route_template(scope: Scope) -> str:
    # The router records the route it chose in the scope; unknown paths have none.
    route = scope.get("route")
    return str(getattr(route, "path", UNMATCHED))


class HttpMetricsMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware), so streaming and background tasks are untouched."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics: HttpMetrics | None = getattr(self.fastapi_app.state, "http_metrics", None)
        if scope["type"] != "http" or metrics is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = _route_template(scope)
            metrics.requests.labels(scope["method"], route, str(status)).inc()
            metrics.duration.labels(scope["method"], route).observe(time.perf_counter() - started)
