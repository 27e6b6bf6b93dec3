"""Sends pending provider e-mails every `interval` seconds, and straight on while a backlog lasts
(adapters/provider_email.py)."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_referral.adapters.provider_email import ProviderEmailSender


def provider_emails_worker(
    sender: ProviderEmailSender, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("provider-emails", sender.next_round, interval=interval, registry=registry)
