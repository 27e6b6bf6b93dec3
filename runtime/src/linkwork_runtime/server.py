"""Runs a service app under uvicorn; SIGTERM and Ctrl-C trigger the app's graceful shutdown.

uvloop and httptools (C implementations of the event loop and the HTTP/1.1 parser) instead of asyncio's
loop and h11 (pure Python): measured with bench/system, see docs/decisions/20-serving.md."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from linkwork_runtime.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
        loop="uvloop",
        http="httptools",
    )
