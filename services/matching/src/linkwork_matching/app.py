"""Wires the matching service: its migrations, HTTP routes and background components."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from linkwork_runtime.app import ServiceDefinition, create_app

from linkwork_matching.settings import Settings

NAME = "matching"
MIGRATIONS = Path(__file__).parent / "migrations"


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(ServiceDefinition(
        name=NAME,
        description="Suggests activities for each referral, explains why, and finds gaps in provision.",
        settings=settings or Settings(),
        migrations={NAME: MIGRATIONS},
    ))
