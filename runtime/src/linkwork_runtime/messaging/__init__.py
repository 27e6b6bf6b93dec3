"""Reliable messaging for linkwork services: transactional outbox and relay, idempotent consumers,
retries with backoff, dead-letter topics, metrics. See README.md in this folder."""

from __future__ import annotations

from pathlib import Path

from linkwork_runtime.messaging.consumer import ConsumerRunner, optional_consumer
from linkwork_runtime.messaging.handlers import Handlers, PrefixedHandlers
from linkwork_runtime.messaging.metrics import MessagingMetrics
from linkwork_runtime.messaging.outbox import add, add_many
from linkwork_runtime.messaging.relay import OutboxRelay
from linkwork_runtime.messaging.retry import Backoff, PermanentError, RetryPolicy, TransientError

MIGRATIONS = Path(__file__).parent / "migrations"


def service_migrations(service: str, folder: Path) -> dict[str, Path]:
    """The migration folders of a service that uses messaging, in the order they apply: the runtime's
    messaging tables (outbox, inbox) first, then the service's own folder, recorded under its name."""
    return {"messaging": MIGRATIONS, service: folder}


__all__ = [
    "MIGRATIONS",
    "Backoff",
    "ConsumerRunner",
    "Handlers",
    "MessagingMetrics",
    "OutboxRelay",
    "PermanentError",
    "PrefixedHandlers",
    "RetryPolicy",
    "TransientError",
    "add",
    "add_many",
    "optional_consumer",
    "service_migrations",
]
