"""Wires the directory service: its migrations, HTTP routes and background components."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from linkwork_runtime.app import ServiceDefinition, create_app

from linkwork_directory.settings import Settings

NAME = "directory"
MIGRATIONS = Path(__file__).parent / "migrations"


def migrations() -> dict[str, Path]:
    """Migration folders in the order they apply."""
    return {NAME: MIGRATIONS}


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(
        ServiceDefinition(
            name=NAME,
            description="Community services directory in the Open Referral UK (ORUK v3) model, kept fresh.",
            settings=settings or Settings(),
            migrations=migrations(),
        )
    )
