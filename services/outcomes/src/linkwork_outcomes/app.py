"""Wires the outcomes service: its migrations, HTTP routes and background components."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from linkwork_runtime.app import ServiceDefinition, create_app

from linkwork_outcomes.settings import Settings

NAME = "outcomes"
MIGRATIONS = Path(__file__).parent / "migrations"


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(ServiceDefinition(
        name=NAME,
        description="Turns the event stream into the evidence commissioners ask for, and the metrics operators watch.",
        settings=settings or Settings(),
        migrations={NAME: MIGRATIONS},
    ))
