"""Wires the matching service: migrations, HTTP routes, the read model, consumers, relay, gap reports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from linkwork_contracts.events import AttendanceConfirmedV1, FollowUpRecordedV1, PlanAgreedV1, ReferralCreatedV1
from linkwork_runtime import messaging
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.context import Component, ServiceContext
from linkwork_runtime.messaging import PrefixedHandlers

from linkwork_matching.adapters.match_store import PostgresGapReports
from linkwork_matching.adapters.metrics import MatchingMetrics
from linkwork_matching.adapters.read_model import PostgresReadModelChanges
from linkwork_matching.adapters.unit_of_work import PostgresMatchingUnitOfWork
from linkwork_matching.api.routes import router
from linkwork_matching.domain.gaps import GapPolicy
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.handlers.learning import LearningHandlers
from linkwork_matching.handlers.referrals import ReferralMatcher
from linkwork_matching.handlers.services import ServiceChangedHandler
from linkwork_matching.service_layer.report_gaps import GapReporter
from linkwork_matching.service_layer.sync_index import IndexSync
from linkwork_matching.settings import Settings
from linkwork_matching.workers.gap_reporter import gap_reporter_worker
from linkwork_matching.workers.index_sync import index_sync_worker
from linkwork_matching.workers.read_model_consumer import ReadModelConsumer

NAME = "matching"
MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = "Suggests activities for each referral, explains why, and finds gaps in provision."


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    retry: messaging.RetryPolicy | None = None,
) -> FastAPI:
    settings = settings or Settings()
    ranker = Ranker(ServiceIndex())

    def components(context: ServiceContext) -> Sequence[Component]:
        metrics = messaging.MessagingMetrics(context.registry)
        matching_metrics = MatchingMetrics(context.registry)
        app.state.matching_metrics = matching_metrics
        bootstrap = settings.kafka
        prefix = settings.consumer_group_prefix
        sync = IndexSync(PostgresReadModelChanges(context.pool), ranker, metrics=matching_metrics)
        # Every handler joins its consumer's transaction through this unit of work (its `joining`).
        units = PostgresMatchingUnitOfWork(settings.event_source)
        events = PrefixedHandlers(settings.topic_prefix)
        events.add(
            ReferralCreatedV1,
            ReferralMatcher(units, ranker, settings.options_per_need, settings.ranker_version, clock, matching_metrics),
        )
        learning = LearningHandlers(units)
        events.add(PlanAgreedV1, learning.plan_agreed)
        events.add(FollowUpRecordedV1, learning.follow_up_recorded)
        events.add(AttendanceConfirmedV1, learning.attendance_confirmed)  # issue 17: weighed above self-reports
        # Order matters: index-sync loads the index with what the database has before anything else starts,
        # the read model consumer then catches up with the topic (index-sync's rounds wait meanwhile), and
        # only then are referrals matched.
        return [
            index_sync_worker(sync, interval=settings.index_sync_seconds, registry=context.registry),
            ReadModelConsumer(
                context.pool,
                bootstrap,
                sync,
                ServiceChangedHandler(units),
                group_prefix=prefix,
                topic_prefix=settings.topic_prefix,
                catch_up_timeout=settings.read_model_catch_up_seconds,
                metrics=metrics,
                retry=retry,
            ),
            messaging.OutboxRelay(context.pool, bootstrap, client_id=f"{prefix}-relay", metrics=metrics),
            messaging.ConsumerRunner(f"{prefix}-events", context.pool, bootstrap, events, metrics=metrics, retry=retry),
            gap_reporter_worker(
                GapReporter(
                    PostgresGapReports(context.pool, settings.event_source),
                    GapPolicy(timedelta(hours=settings.gap_report_interval_hours)),
                    clock=clock,
                    metrics=matching_metrics,
                ),
                interval=settings.gap_report_seconds,
                registry=context.registry,
            ),
        ]

    app = create_app(
        ServiceDefinition(
            name=NAME,
            description=DESCRIPTION,
            settings=settings,
            migrations=messaging.service_migrations(NAME, MIGRATIONS),
            routers=[router],
            components=components,
        )
    )
    app.state.ranker = ranker
    app.state.ranker_version = settings.ranker_version
    return app
