"""Wires the referral service: its migrations, HTTP routes and background components."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from linkwork_runtime.app import ServiceDefinition, create_app

from linkwork_referral.settings import Settings

NAME = "referral"
MIGRATIONS = Path(__file__).parent / "migrations"


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(
        ServiceDefinition(
            name=NAME,
            description=(
                "The link worker's workflow: intake, triage, what-matters conversation, plan, follow-ups, closure. "
                "The only service holding patient-identifiable data."
            ),
            settings=settings or Settings(),
            migrations={NAME: MIGRATIONS},
        )
    )
