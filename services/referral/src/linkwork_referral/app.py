"""Wires the referral service: migrations, HTTP routes, consumers, outbox relay and scheduler."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from linkwork_contracts.events import MatchesSuggestedV1, ReferralRequestedV1
from linkwork_runtime import messaging
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.context import Component, ServiceContext

from linkwork_referral.adapters.outgoing import EventMapper
from linkwork_referral.adapters.reference_tables import PostcodeDirectory, PracticeDirectory
from linkwork_referral.api import audit, contact_routes, errors, fhir, referrals, team, workflow
from linkwork_referral.domain.pseudonym import PersonRefKey
from linkwork_referral.handlers.matches_suggested import on_matches_suggested
from linkwork_referral.handlers.referral_requested import ReferralRequestedHandler, RefusalNotifier
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.scheduler import FollowUpScheduler
from linkwork_referral.settings import Settings

NAME = "referral"
MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "The link worker's workflow: intake, triage, what-matters conversation, plan, follow-ups, closure. "
    "The only service holding patient-identifiable data."
)


def build_app(settings: Settings | None = None, *, retry: messaging.RetryPolicy | None = None) -> FastAPI:
    settings = settings or Settings()
    mapper = EventMapper(
        PersonRefKey(settings.person_ref_secret.get_secret_value().encode()),
        PostcodeDirectory.load(settings.postcode_table),
        ZoneInfo(settings.follow_up_time_zone),
    )
    practices = PracticeDirectory.load(settings.practice_pcn_table, settings.default_pcn)
    zone = ZoneInfo(settings.follow_up_time_zone)

    def service_for(context: ServiceContext) -> ReferralService:
        return ReferralService(context.pool, mapper, zone, settings.event_source)

    def components(context: ServiceContext) -> Sequence[Component]:
        metrics = messaging.MessagingMetrics(context.registry)
        bootstrap = settings.kafka
        service = service_for(context)
        requests = messaging.Handlers()
        requests.add(ReferralRequestedV1, ReferralRequestedHandler(service, practices))
        requests.on_refused(RefusalNotifier(settings.event_source, service.clock))
        suggested = messaging.Handlers()
        suggested.add(MatchesSuggestedV1, on_matches_suggested)
        prefix = settings.consumer_group_prefix
        return [
            messaging.OutboxRelay(context.pool, bootstrap, client_id=f"{prefix}-relay", metrics=metrics),
            messaging.ConsumerRunner(
                f"{prefix}-requests", context.pool, bootstrap, requests, metrics=metrics, retry=retry
            ),
            messaging.ConsumerRunner(
                f"{prefix}-suggestions", context.pool, bootstrap, suggested, metrics=metrics, retry=retry
            ),
            FollowUpScheduler(
                context.pool,
                source=settings.event_source,
                poll_seconds=settings.follow_up_poll_seconds,
                batch_size=settings.follow_up_batch_size,
                max_per_second=settings.follow_up_max_per_second,
                registry=context.registry,
            ),
        ]

    app = create_app(
        ServiceDefinition(
            name=NAME,
            description=DESCRIPTION,
            settings=settings,
            migrations={"messaging": messaging.MIGRATIONS, NAME: MIGRATIONS},
            routers=[referrals.router, workflow.router, audit.router, team.router, fhir.router, contact_routes.router],
            components=components,
            body_refusals={fhir.router.prefix: fhir.body_too_large},
        )
    )
    app.state.referral_service = service_for
    app.state.practices = practices  # FHIR referrals are routed by the person's practice
    errors.install(app)
    return app
