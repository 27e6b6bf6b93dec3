"""Wires the notifications service: migrations, the consumer, the sender, the task list API and metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from linkwork_runtime import messaging
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.context import Component, ServiceContext

from linkwork_notifications.adapters.channels import Channels, NotifyChannel, SmtpChannel
from linkwork_notifications.adapters.contacts import ReferralContactRoutes
from linkwork_notifications.adapters.metrics import NotificationMetrics
from linkwork_notifications.adapters.store import PostgresMessageStore
from linkwork_notifications.api import routes
from linkwork_notifications.domain.delivery import RetryPolicy
from linkwork_notifications.domain.messages import Channel
from linkwork_notifications.handlers.events import notification_handlers
from linkwork_notifications.service_layer.dispatcher import Dispatcher
from linkwork_notifications.service_layer.ports import Sender
from linkwork_notifications.settings import Settings
from linkwork_notifications.workers.deliveries import delivery_worker

NAME = "notifications"
MIGRATIONS = Path(__file__).parent / "migrations"
COMPONENT_MIGRATIONS = messaging.service_migrations(NAME, MIGRATIONS)


@dataclass
class NotificationsState:
    metrics: NotificationMetrics | None = None
    dispatchers: list[Dispatcher] = field(default_factory=list)


def channels_of(settings: Settings) -> Channels:
    by_channel: dict[Channel, Sender] = {}
    if settings.notify_api_key is not None:
        notify = NotifyChannel(
            settings.notify_api_key.get_secret_value(), settings.notify_base_url, settings.notify_templates
        )
        by_channel[Channel.SMS] = notify
        by_channel[Channel.EMAIL] = notify
    if settings.email_via == "smtp":
        by_channel[Channel.EMAIL] = SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_sender)
    return Channels(by_channel)


class _Closing:
    """Closes the contact-route client's connections at shutdown (after the dispatcher stopped)."""

    def __init__(self, routes: ReferralContactRoutes) -> None:
        self._routes = routes

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        await self._routes.close()


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    state = NotificationsState()

    def components(context: ServiceContext) -> Sequence[Component]:
        metrics = state.metrics = NotificationMetrics(context.registry)
        # The handlers join the consumer's transaction through the store (its `joining`); the dispatcher uses its pool.
        messages = PostgresMessageStore(context.pool)
        handlers = notification_handlers(messages, settings.topic_prefix)
        parts = messaging.optional_consumer(settings, settings.consumer_group, context, handlers)
        if settings.dispatch:
            routes_client = ReferralContactRoutes(
                settings.referral_url, settings.contact_route_token.get_secret_value()
            )
            dispatcher = Dispatcher(
                messages,
                routes_client,
                channels_of(settings),
                metrics,
                retry=RetryPolicy(
                    max_attempts=settings.max_attempts,
                    initial=timedelta(seconds=settings.retry_initial_seconds),
                    maximum=timedelta(seconds=settings.retry_maximum_seconds),
                ),
                batch_size=settings.dispatch_batch_size,
                lease_seconds=settings.lease_seconds,
                pcn_names=settings.pcn_names,
                default_pcn_name=settings.default_pcn_name,
                letters=settings.letters,
                timezone=settings.timezone,
                acceptance_poll_seconds=settings.acceptance_poll_seconds,
                acceptance_wait=timedelta(days=settings.acceptance_wait_days),
            )
            state.dispatchers.append(dispatcher)
            worker = delivery_worker(dispatcher, interval=settings.dispatch_interval_seconds, registry=context.registry)
            parts += [_Closing(routes_client), worker]
        return parts

    app = create_app(
        ServiceDefinition(
            name=NAME,
            description=(
                "Reaches people referred (GOV.UK Notify, SMTP) by their preferred channel, only with consent, "
                "exactly once per event; and keeps the link workers' task list."
            ),
            settings=settings,
            migrations=COMPONENT_MIGRATIONS,
            routers=[routes.router],
            components=components,
        )
    )
    app.state.notifications = state
    return app
