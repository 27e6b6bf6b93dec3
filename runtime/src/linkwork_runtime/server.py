"""Runs a service app under uvicorn; SIGTERM and Ctrl-C trigger the app's graceful shutdown."""

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
    )
