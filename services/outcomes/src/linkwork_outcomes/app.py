"""Wires the outcomes service: migrations, the reports API, the consumer, the projector and metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from linkwork_runtime import messaging
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.context import Component, ServiceContext

from linkwork_outcomes.adapters import area_table
from linkwork_outcomes.adapters.event_facts import CONSUMED
from linkwork_outcomes.adapters.metrics import MetricsRefresher, OutcomesMetrics
from linkwork_outcomes.adapters.projection_store import PostgresFactStore, PostgresProjectionStore
from linkwork_outcomes.adapters.provider_store import PROVIDER_LOOP
from linkwork_outcomes.api import reports
from linkwork_outcomes.domain.areas import AreaHierarchy
from linkwork_outcomes.handlers.events import outcome_handlers
from linkwork_outcomes.service_layer.projector import Projector
from linkwork_outcomes.settings import Settings
from linkwork_outcomes.workers.business_metrics import business_metrics_worker
from linkwork_outcomes.workers.projector import projector_worker

NAME = "outcomes"
MIGRATIONS = Path(__file__).parent / "migrations"
COMPONENT_MIGRATIONS = messaging.service_migrations(NAME, MIGRATIONS)


@dataclass
class OutcomesState:
    """What routes need from the running service beyond the shared context."""

    metrics: OutcomesMetrics | None = None
    hierarchy: AreaHierarchy = field(default_factory=AreaHierarchy)


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    state = OutcomesState(hierarchy=area_table.load(settings.area_hierarchy_table))

    def components(context: ServiceContext) -> Sequence[Component]:
        metrics = OutcomesMetrics(context.registry, settings.topic_prefix)
        state.metrics = metrics
        # The handlers join the consumer's transaction through the fact store (its `joining`). The referral
        # events become facts for the projector; the provider loop's (issue 17) go to tables of their own.
        handlers = outcome_handlers(PostgresFactStore(), (*CONSUMED, *PROVIDER_LOOP), settings.topic_prefix)
        parts = messaging.optional_consumer(settings, settings.consumer_group, context, handlers)
        parts.append(
            projector_worker(
                Projector(context.pool, PostgresProjectionStore, metrics, batch_size=settings.projection_batch_size),
                interval=settings.projection_interval_seconds,
                registry=context.registry,
            )
        )
        parts.append(
            business_metrics_worker(
                MetricsRefresher(context.pool, metrics.business, settings.stale_service_days),
                interval=settings.metrics_refresh_seconds,
                registry=context.registry,
            )
        )
        return parts

    app = create_app(
        ServiceDefinition(
            name=NAME,
            description=(
                "Turns the event stream into the evidence commissioners ask for (reports with small-number "
                "suppression) and the metrics operators watch."
            ),
            settings=settings,
            migrations=COMPONENT_MIGRATIONS,
            routers=[reports.router],
            components=components,
        )
    )
    app.state.outcomes = state
    return app
