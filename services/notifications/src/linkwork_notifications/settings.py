"""Settings of the notifications service (environment variables `LINKWORK_*`; see the shared ServiceSettings)."""

from __future__ import annotations

from typing import Literal

from linkwork_runtime.settings import ConsumerSettings, Port
from pydantic import Field, SecretStr


class Settings(ConsumerSettings):
    database_url: str = "postgresql://postgres@127.0.0.1:55432/notifications"
    http_port: Port = 8006
    consumer_group: str = Field(
        default="notifications", description="LINKWORK_CONSUMER_GROUP: Kafka consumer group and inbox name"
    )
    dispatch: bool = Field(default=True, description="LINKWORK_DISPATCH: run the sender (off: record and list only)")
    dispatch_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    dispatch_batch_size: int = Field(default=50, ge=1, le=1000)
    lease_seconds: float = Field(
        default=120.0,
        gt=0,
        description="LINKWORK_LEASE_SECONDS: a message being sent is left to its sender this long; after that "
        "another sender asks the provider whether it went (by reference) before sending it",
    )
    acceptance_poll_seconds: float = Field(
        default=600.0,
        gt=0,
        description="LINKWORK_ACCEPTANCE_POLL_SECONDS: how often a first-contact message checks whether its "
        "referral has been accepted (it is sent only after)",
    )
    acceptance_wait_days: int = Field(
        default=14, ge=1, description="LINKWORK_ACCEPTANCE_WAIT_DAYS: a referral not accepted by then gets none"
    )
    max_attempts: int = Field(default=5, ge=1, le=50, description="LINKWORK_MAX_ATTEMPTS: then undeliverable")
    retry_initial_seconds: float = Field(default=30.0, gt=0)
    retry_maximum_seconds: float = Field(default=3600.0, gt=0)

    email_via: Literal["notify", "smtp"] = Field(
        default="notify", description="LINKWORK_EMAIL_VIA: GOV.UK Notify, or plain SMTP for deployments without it"
    )
    notify_base_url: str = Field(default="https://api.notifications.service.gov.uk")
    notify_api_key: SecretStr | None = Field(
        default=None, description="LINKWORK_NOTIFY_API_KEY: the Notify API key (from a secret); unset: no Notify"
    )
    notify_templates: dict[str, str] = Field(
        default_factory=dict,
        description='LINKWORK_NOTIFY_TEMPLATES: JSON {"<reason>/<channel>": "<template id>"}, e.g. '
        '{"follow-up-reminder/sms": "…"}',
    )
    notify_callback_token: SecretStr = Field(
        default=SecretStr("linkwork-development-notify-callback-token"),
        description="LINKWORK_NOTIFY_CALLBACK_TOKEN: the bearer token Notify sends with delivery receipts",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: Port = 25
    smtp_sender: str = "linkwork <no-reply@linkwork.invalid>"
    referral_url: str = Field(
        default="http://127.0.0.1:8001", description="LINKWORK_REFERRAL_URL: where contact routes are fetched"
    )
    contact_route_token: SecretStr = Field(
        default=SecretStr("linkwork-development-contact-route-token"),
        description="LINKWORK_CONTACT_ROUTE_TOKEN: this service's own credential for the referral service's "
        "contact-route endpoint (the referral service holds the same value)",
    )
    letters: bool = Field(default=False, description="LINKWORK_LETTERS: send letters (needs an address route)")
    pcn_names: dict[str, str] = Field(
        default_factory=dict, description='LINKWORK_PCN_NAMES: JSON {"U12345": "Leeds North PCN"} for the message text'
    )
    default_pcn_name: str = Field(default="your Primary Care Network")
    first_contact_overdue_days: int = Field(default=5, ge=1, le=60)
    timezone: str = "Europe/London"
