"""Wires the directory service: migrations, HTTP routes, the outbox relay, the plan-agreed consumer,
the stale-services gauge and background imports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from linkwork_contracts.events import ActivityReferralRespondedV1, AttendanceConfirmedV1, PlanAgreedV1
from linkwork_runtime import messaging
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.context import Component, ServiceContext

from linkwork_directory.adapters.clock import SystemClock
from linkwork_directory.adapters.import_job_store import PostgresImportJobStore
from linkwork_directory.adapters.metrics import stale_services_gauge
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.adapters.oruk_schemas import bundled
from linkwork_directory.adapters.outbox_sink import OutboxSink
from linkwork_directory.adapters.review_store import review_stores
from linkwork_directory.adapters.topics import CompactedTopic
from linkwork_directory.adapters.unit_of_work import unit_of_work_factory
from linkwork_directory.api import curation, duplicates, imports, oruk, providers
from linkwork_directory.api.runtime import DirectoryRuntime
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.handlers.activity_referrals import ActivityReferralHandlers
from linkwork_directory.handlers.plan_agreed import PlanAgreedHandler
from linkwork_directory.service_layer.changes import seed_needs_taxonomy
from linkwork_directory.service_layer.freshness import StaleServicesGauge
from linkwork_directory.service_layer.import_jobs import ImportJobs
from linkwork_directory.service_layer.imports import Importer
from linkwork_directory.service_layer.ports import Acting, UnitOfWorkFactory
from linkwork_directory.service_layer.week_rollover import WeekRollover
from linkwork_directory.settings import Settings
from linkwork_directory.workers.new_week import week_rollover_worker
from linkwork_directory.workers.stale_services import stale_services_worker

NAME = "directory"
MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = "Community services directory in the Open Referral UK (ORUK v3) model, kept fresh."


def migrations() -> dict[str, Path]:
    """Migration folders in the order they apply."""
    return messaging.service_migrations(NAME, MIGRATIONS)


class NeedsTaxonomy:
    """Stores the linkwork-needs taxonomy before anything else runs (idempotent)."""

    def __init__(self, units: UnitOfWorkFactory, runtime: DirectoryRuntime) -> None:
        self.units, self.runtime = units, runtime

    async def start(self) -> None:
        async with self.units() as uow:
            await seed_needs_taxonomy(uow, Acting(self.runtime.clock.now(), self.runtime.sink))

    async def stop(self) -> None:
        return None


def build_app(
    settings: Settings | None = None, *, clock: Clock | None = None, retry: messaging.RetryPolicy | None = None
) -> FastAPI:
    settings = settings or Settings()
    runtime = DirectoryRuntime(settings, clock or SystemClock(), OutboxSink(settings.event_source), bundled())

    def components(context: ServiceContext) -> Sequence[Component]:
        metrics = messaging.MessagingMetrics(context.registry)
        bootstrap = settings.kafka
        units = unit_of_work_factory(context.pool)
        importer = Importer(
            units,
            clock=runtime.clock,
            sink=runtime.sink,
            oruk=OrukFormat(runtime.schemas),
            batch_size=settings.import_batch_size,
        )
        runtime.jobs = ImportJobs(PostgresImportJobStore(context.pool), importer, runtime.clock)
        runtime.stale_gauge = StaleServicesGauge(
            review_stores(context.pool),
            stale_services_gauge(context.registry),
            clock=runtime.clock,
            months=settings.review_period_months,
        )
        runtime.week_rollover = WeekRollover(units, clock=runtime.clock, sink=runtime.sink)
        # The handlers' units of work join the consumer's transaction (`units.joining`).
        plans = messaging.PrefixedHandlers(settings.topic_prefix)
        plans.add(PlanAgreedV1, PlanAgreedHandler(units, runtime.sink, runtime.clock))
        # Issue 17: accepted, declined and started activity referrals keep waiting lists live.
        loop = ActivityReferralHandlers(units, runtime.sink, runtime.clock)
        plans.add(ActivityReferralRespondedV1, loop.responded)
        plans.add(AttendanceConfirmedV1, loop.attendance)
        return [
            NeedsTaxonomy(units, runtime),
            CompactedTopic(bootstrap, partitions=settings.service_changed_partitions),
            messaging.OutboxRelay(context.pool, bootstrap, client_id=f"{NAME}-relay", metrics=metrics),
            messaging.ConsumerRunner(
                settings.consumer_group, context.pool, bootstrap, plans, metrics=metrics, retry=retry
            ),
            stale_services_worker(
                runtime.stale_gauge, interval=settings.stale_gauge_seconds, registry=context.registry
            ),
            week_rollover_worker(
                runtime.week_rollover, interval=settings.week_rollover_seconds, registry=context.registry
            ),
            runtime.jobs,
        ]

    app = create_app(
        ServiceDefinition(
            name=NAME,
            description=DESCRIPTION,
            settings=settings,
            migrations=migrations(),
            routers=[oruk.router, curation.router, imports.router, providers.router, duplicates.router],
            components=components,
            body_limits={"/imports": settings.max_import_bytes},
        )
    )
    app.state.directory = runtime
    return app
