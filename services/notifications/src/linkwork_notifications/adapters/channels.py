"""The two channel adapters (the `Sender` port of service_layer/ports.py): GOV.UK Notify and plain SMTP.

Both client libraries block (requests, smtplib), so calls run in a worker thread. Neither address nor text
is logged: failures are reduced to a short code ("rate-limited", "invalid-recipient").
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from linkwork_notifications.domain.delivery import Attempt, Outcome
from linkwork_notifications.domain.messages import SUBJECTS, Channel, Reason, text
from linkwork_notifications.service_layer.ports import InDoubt, Sender


class UnknownTemplate(Exception):
    pass


# Notify's documented error responses (see the service README): which of them are worth a retry.
_PERMANENT_NOTIFY = {400: "invalid-request", 403: "auth-error"}


def _notify_failure(error: APIError) -> Attempt:
    status = error.status_code
    if status == 429:
        return Attempt(Outcome.TEMPORARY, failure="rate-limited")
    if status >= 500:
        return Attempt(Outcome.TEMPORARY, failure="provider-unavailable")
    if status == 400 and _mentions(error, "phone_number", "email_address"):
        return Attempt(Outcome.PERMANENT, failure="invalid-recipient")
    return Attempt(Outcome.PERMANENT, failure=_PERMANENT_NOTIFY.get(status, f"http-{status}"))


def _mentions(error: APIError, *words: str) -> bool:
    message = error.message
    found = str(message) if not isinstance(message, list) else " ".join(str(item) for item in message)
    return any(word in found for word in words)


class NotifyChannel:
    """GOV.UK Notify through its official client: templates by id, the API key from a secret."""

    def __init__(self, api_key: str, base_url: str, templates: dict[str, str], timeout: float = 30.0) -> None:
        self._api_key = api_key
        self._base_url = base_url
        self._templates = templates
        self._timeout = timeout

    def template(self, reason: Reason, channel: Channel) -> str:
        template_id = self._templates.get(f"{reason.value}/{channel.value}")
        if template_id is None:
            raise UnknownTemplate(f"no Notify template for {reason.value}/{channel.value}")
        return template_id

    def _client(self) -> NotificationsAPIClient:
        # The client is not thread-safe: one per call (each call runs on its own worker thread).
        return NotificationsAPIClient(  # type: ignore[no-untyped-call]
            self._api_key, base_url=self._base_url, timeout=self._timeout
        )

    async def send(
        self, channel: Channel, address: str, reason: Reason, values: dict[str, str], reference: str
    ) -> Attempt:
        try:
            template_id = self.template(reason, channel)
        except UnknownTemplate:
            return Attempt(Outcome.PERMANENT, failure="no-template")

        def call() -> dict[str, Any]:
            client = self._client()
            if channel is Channel.SMS:
                return client.send_sms_notification(  # type: ignore[no-untyped-call,no-any-return]
                    phone_number=address, template_id=template_id, personalisation=values, reference=reference
                )
            if channel is Channel.EMAIL:
                return client.send_email_notification(  # type: ignore[no-untyped-call,no-any-return]
                    email_address=address, template_id=template_id, personalisation=values, reference=reference
                )
            raise ValueError(f"Notify channel {channel.value} is not supported here")

        try:
            response = await asyncio.to_thread(call)
        except APIError as error:
            return _notify_failure(error)
        return Attempt(Outcome.ACCEPTED, provider_id=str(response["id"]))

    async def lookup(self, reference: str) -> Attempt | None:
        def call() -> dict[str, Any]:
            return self._client().get_all_notifications(reference=reference)  # type: ignore[no-untyped-call,no-any-return]

        try:
            found = await asyncio.to_thread(call)
        except APIError as error:
            raise InDoubt(f"Notify lookup failed ({error.status_code})") from error
        notifications = found.get("notifications", [])
        if not notifications:
            return None
        return Attempt(Outcome.ACCEPTED, provider_id=str(notifications[0]["id"]))


class SmtpChannel:
    """Email over plain SMTP, for deployments without Notify. The body is the same text Notify would show."""

    def __init__(self, host: str, port: int, sender: str, timeout: float = 30.0) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._timeout = timeout

    async def send(
        self, channel: Channel, address: str, reason: Reason, values: dict[str, str], reference: str
    ) -> Attempt:
        if channel is not Channel.EMAIL:
            return Attempt(Outcome.PERMANENT, failure="channel-not-supported")
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = address
        message["Subject"] = SUBJECTS[reason]
        # Our reference as the Message-ID: a receiving system can drop a copy it has already seen.
        message["Message-ID"] = f"<{reference}@linkwork.notifications>"
        message.set_content(text(reason, values) + "\n")

        def call() -> None:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(message)

        try:
            await asyncio.to_thread(call)
        except smtplib.SMTPRecipientsRefused:
            return Attempt(Outcome.PERMANENT, failure="invalid-recipient")
        except smtplib.SMTPResponseException as error:
            kind = Outcome.PERMANENT if 500 <= error.smtp_code < 600 else Outcome.TEMPORARY
            return Attempt(kind, failure=f"smtp-{error.smtp_code}")
        except (smtplib.SMTPException, OSError):
            return Attempt(Outcome.TEMPORARY, failure="smtp-unavailable")
        return Attempt(Outcome.ACCEPTED, provider_id=f"smtp:{reference}")

    async def lookup(self, reference: str) -> Attempt | None:
        raise InDoubt("SMTP keeps no record of what it accepted")


class Channels:
    """Which adapter carries which channel in this deployment."""

    def __init__(self, by_channel: dict[Channel, Sender]) -> None:
        self._by_channel = by_channel

    def for_channel(self, channel: Channel) -> Sender | None:
        return self._by_channel.get(channel)
