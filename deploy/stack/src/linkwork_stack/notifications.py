"""The notifications service in the local stack, with a local GOV.UK Notify and a real SMTP server (aiosmtpd),
so a newcomer running `make run` can see the messages people would get: the SMTP server prints each email,
and the local Notify lists its messages at /_local/messages."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from linkwork_stack.services import ServiceProcess

# The deployment's PCN names for the message text ("Your link worker from Demo PCN will call you ...").
DEMO_PCN_NAMES = {"U00001": "Demo PCN"}


@dataclass(frozen=True)
class LocalMessaging:
    notify_url: str
    notify_key: str
    templates: dict[str, str]
    smtp_port: int


class _PrintingInbox:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        text = (envelope.original_content or b"").decode(errors="replace")
        print(f"smtp      | email to {', '.join(envelope.rcpt_tos)}:\n{text}", flush=True)
        return "250 Message accepted for delivery"


@contextmanager
def local_messaging(notify_port: int, smtp_port: int) -> Iterator[LocalMessaging]:
    # Imported here: aiosmtpd and the notifications package are only needed when the stack runs them.
    from aiosmtpd.controller import Controller
    from linkwork_notifications.entrypoints.local_notify import LocalNotify, api_key, default_state, template_ids

    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    smtp = Controller(_PrintingInbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        with LocalNotify(default_state(service_id, secret), port=notify_port) as notify:
            yield LocalMessaging(notify.url, api_key(service_id, secret, "local"), template_ids(), smtp_port)
    finally:
        smtp.stop()


def contact_route_token() -> str:
    """A fresh shared credential per run: the referral service's contact-route endpoint and notifications."""
    return secrets.token_hex(32)


def notifications_process(
    port: int, database_url: str, kafka: str, referral_url: str, token: str, messaging: LocalMessaging
) -> ServiceProcess:
    """SMS through the local Notify, email over SMTP (so both channels show)."""
    return ServiceProcess(
        "notifications",
        port,
        {
            "LINKWORK_DATABASE_URL": database_url,
            "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": kafka,
            "LINKWORK_HTTP_PORT": str(port),
            "LINKWORK_REFERRAL_URL": referral_url,
            "LINKWORK_CONTACT_ROUTE_TOKEN": token,
            "LINKWORK_NOTIFY_API_KEY": messaging.notify_key,
            "LINKWORK_NOTIFY_BASE_URL": messaging.notify_url,
            "LINKWORK_NOTIFY_TEMPLATES": json.dumps(messaging.templates),
            "LINKWORK_EMAIL_VIA": "smtp",
            "LINKWORK_SMTP_PORT": str(messaging.smtp_port),
            "LINKWORK_PCN_NAMES": json.dumps(DEMO_PCN_NAMES),
        },
    )
