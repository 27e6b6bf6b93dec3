"""Wires the referral service: migrations, HTTP routes, consumers, outbox relay and scheduler."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from linkwork_contracts.events import (
    MatchesSuggestedV1,
    ReferralRequestedV1,
    ServiceChangedV1,
    ServiceChangedV2,
    ServiceChangedV3,
)
from linkwork_runtime import messaging
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.context import Component, ServiceContext

from linkwork_referral.adapters.activity_referral_store import PostgresActivityReferrals
from linkwork_referral.adapters.follow_up_store import PostgresFollowUps
from linkwork_referral.adapters.outgoing import EventMapper
from linkwork_referral.adapters.provider_email import ProviderEmailSender, SmtpEmail
from linkwork_referral.adapters.reference_tables import DeprivationTable, PostcodeDirectory, PracticeDirectory
from linkwork_referral.adapters.unit_of_work import PostgresReferralUnitOfWork
from linkwork_referral.api import audit, contact_routes, errors, fhir, provider, referrals, team, workflow
from linkwork_referral.domain.pseudonym import PersonRefKey
from linkwork_referral.handlers.matches_suggested import MatchesSuggestedHandler
from linkwork_referral.handlers.referral_requested import ReferralRequestedHandler, RefusalNotifier
from linkwork_referral.handlers.service_changed import ServiceChangedHandler
from linkwork_referral.service_layer.activity_referrals import ProviderDesk, ResponseDeadlines, ResponsePolicy, utc_now
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.scheduler import FollowUpScheduler
from linkwork_referral.settings import Settings
from linkwork_referral.workers.follow_ups import follow_up_worker
from linkwork_referral.workers.provider_deadlines import provider_deadlines_worker
from linkwork_referral.workers.provider_emails import provider_emails_worker

NAME = "referral"
MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "The link worker's workflow: intake, triage, what-matters conversation, plan, follow-ups, closure. "
    "The only service holding patient-identifiable data."
)


def build_app(
    settings: Settings | None = None,
    *,
    retry: messaging.RetryPolicy | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """`clock` is the time every step and deadline is taken from (tests move it instead of waiting)."""
    settings = settings or Settings()
    postcodes = PostcodeDirectory.load(settings.postcode_table)
    if settings.postcode_lsoa_table is not None:
        postcodes = postcodes.with_postcodes(settings.postcode_lsoa_table)
    if settings.deprivation_table is not None:
        postcodes = postcodes.with_deprivation(DeprivationTable.load(settings.deprivation_table))
    mapper = EventMapper(
        PersonRefKey(settings.person_ref_secret.get_secret_value().encode()),
        postcodes,
        ZoneInfo(settings.follow_up_time_zone),
    )
    practices = PracticeDirectory.load(settings.practice_pcn_table, settings.default_pcn)
    zone = ZoneInfo(settings.follow_up_time_zone)

    policy = ResponsePolicy(
        timedelta(days=settings.provider_response_days), timedelta(days=settings.provider_reminder_days)
    )

    def referrals_for(context: ServiceContext) -> PostgresReferralUnitOfWork:
        return PostgresReferralUnitOfWork(context.pool, zone, mapper.person_ref)

    def service_for(context: ServiceContext) -> ReferralService:
        return ReferralService(
            referrals_for(context), mapper, settings.event_source, clock=clock, response_policy=policy
        )

    def desk_for(context: ServiceContext) -> ProviderDesk:
        return ProviderDesk(PostgresActivityReferrals(context.pool), settings.event_source, clock)

    def components(context: ServiceContext) -> Sequence[Component]:
        metrics = messaging.MessagingMetrics(context.registry)
        bootstrap = settings.kafka
        service = service_for(context)
        # Every handler joins its consumer's transaction through this unit of work (its `joining`).
        referrals = service.unit_of_work
        requests = messaging.PrefixedHandlers(settings.topic_prefix)
        requests.add(ReferralRequestedV1, ReferralRequestedHandler(service, referrals, practices))
        requests.on_refused(RefusalNotifier(referrals, settings.event_source, service.clock))
        suggested = messaging.PrefixedHandlers(settings.topic_prefix)
        suggested.add(MatchesSuggestedV1, MatchesSuggestedHandler(referrals))
        services = messaging.PrefixedHandlers(settings.topic_prefix)
        on_service_changed = ServiceChangedHandler(referrals)
        services.add(ServiceChangedV1, on_service_changed)
        services.add(ServiceChangedV2, on_service_changed)
        services.add(ServiceChangedV3, on_service_changed)  # what the directory publishes since issue 17
        prefix = settings.consumer_group_prefix
        smtp = SmtpEmail(settings.smtp_host, settings.smtp_port, settings.smtp_sender) if settings.smtp_host else None

        def consumer(group: str, handlers: messaging.Handlers) -> messaging.ConsumerRunner:
            """A consumer in group `<prefix>-<group>`; all of this service's share the pool, metrics and retry."""
            return messaging.ConsumerRunner(
                f"{prefix}-{group}", context.pool, bootstrap, handlers, metrics=metrics, retry=retry
            )

        return [
            messaging.OutboxRelay(context.pool, bootstrap, client_id=f"{prefix}-relay", metrics=metrics),
            consumer("requests", requests),
            consumer("suggestions", suggested),
            follow_up_worker(
                FollowUpScheduler(
                    PostgresFollowUps(context.pool),
                    source=settings.event_source,
                    batch_size=settings.follow_up_batch_size,
                    max_per_second=settings.follow_up_max_per_second,
                    registry=context.registry,
                ),
                interval=settings.follow_up_poll_seconds,
                registry=context.registry,
            ),
            consumer("services", services),
            provider_deadlines_worker(
                ResponseDeadlines(PostgresActivityReferrals(context.pool), source=settings.event_source, clock=clock),
                interval=settings.provider_deadline_poll_seconds,
                registry=context.registry,
            ),
            provider_emails_worker(
                ProviderEmailSender(context.pool, smtp, settings.provider_emails, settings.console_url, clock=clock),
                interval=settings.provider_email_poll_seconds,
                registry=context.registry,
            ),
        ]

    app = create_app(
        ServiceDefinition(
            name=NAME,
            description=DESCRIPTION,
            settings=settings,
            migrations=messaging.service_migrations(NAME, MIGRATIONS),
            routers=[
                referrals.router,
                workflow.router,
                audit.router,
                team.router,
                fhir.router,
                contact_routes.router,
                provider.router,
            ],
            components=components,
            body_refusals={fhir.router.prefix: fhir.body_too_large},
        )
    )
    app.state.referral_service = service_for
    app.state.provider_desk = desk_for
    app.state.practices = practices  # FHIR referrals are routed by the person's practice
    errors.install(app)
    return app
