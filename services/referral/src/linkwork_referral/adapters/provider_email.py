"""Emails to providers (issue 17): a new referral, a reminder, an automatic decline. Over SMTP.

The text says only that there is a referral for the organisation and links to it in the console: no name,
no needs, no service name (a service's name can say something about health), nothing a misdirected email
could leak. The port (`EmailPort`) keeps the sender testable; `SmtpEmail` is the adapter (smtplib, in a worker
thread because it blocks).

The sender claims pending rows of provider_emails `FOR UPDATE SKIP LOCKED` and marks each sent in the same
transaction, so replicas never send one intent twice; a crash between SMTP's answer and the commit sends it
again (at least once), which is the same trade-off every mail relay makes.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Protocol
from uuid import UUID

import asyncpg

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str


class EmailPort(Protocol):
    async def send(self, email: Email) -> None:
        """Hand the email to the mail system; raises on failure."""
        ...


@dataclass(frozen=True)
class SmtpEmail:
    host: str
    port: int
    sender: str
    timeout: float = 30.0

    async def send(self, email: Email) -> None:
        await asyncio.to_thread(self._send, email)

    def _send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, email.to, email.subject
        message.set_content(email.text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(message)


SUBJECTS = {
    "new-referral": "New referral from linkwork",
    "reminder": "Reminder: a linkwork referral is waiting for your answer",
    "declined-no-response": "A linkwork referral was closed without an answer",
}


def compose(kind: str, to: str, link: str, respond_by: datetime) -> Email:
    """The email for one intent: that there is a referral, what to do, and the console link. Nothing else."""
    day = respond_by.date().strftime("%d %B %Y").lstrip("0")
    if kind == "new-referral":
        body = (
            "Your organisation has a new referral from a social prescribing link worker.\n\n"
            f"Please accept or decline it by {day}:\n{link}\n"
        )
    elif kind == "reminder":
        body = f"A referral to your organisation is waiting for your answer. Please answer by {day}:\n{link}\n"
    else:
        body = (
            "A referral to your organisation was not answered by its deadline, so it has been declined "
            f"automatically and the link worker has been told.\n\n{link}\n"
        )
    return Email(to, SUBJECTS[kind], body + "\nThis email was sent by linkwork. Do not reply to it.\n")


_CLAIM = """
SELECT e.id, e.kind, e.organization_id, e.attempts, a.id AS activity_referral_id, a.respond_by
FROM provider_emails e JOIN activity_referrals a ON a.id = e.activity_referral_id
WHERE e.state = 'pending' AND e.next_attempt_at <= $1
ORDER BY e.next_attempt_at, e.id LIMIT $2
FOR UPDATE OF e SKIP LOCKED
"""
MAX_ATTEMPTS = 6


class ProviderEmailSender:
    """Sends the pending provider emails; addresses are the organisations' referral inboxes (a setting)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        port: EmailPort | None,
        addresses: Mapping[UUID, str],
        console_url: str,
        *,
        batch_size: int = 20,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._pool, self._port, self._addresses = pool, port, addresses
        self._console = console_url.rstrip("/")
        self._batch, self._clock = batch_size, clock

    async def next_round(self) -> float | None:
        """One round as workers/provider_emails.py runs it; returns the delay before the next one."""
        # A full batch means more are waiting: carry on at once; otherwise wait the poll interval.
        return 0.0 if await self.run_once() == self._batch else None

    async def run_once(self) -> int:
        """Send one batch; returns how many were sent."""
        now = self._clock()
        sent = 0
        async with self._pool.acquire() as connection, connection.transaction():
            for row in await connection.fetch(_CLAIM, now, self._batch):
                address = self._addresses.get(row["organization_id"])
                if address is None or self._port is None:
                    # Nobody to write to: the provider still sees the referral in the console.
                    await connection.execute("UPDATE provider_emails SET state = 'no-address' WHERE id = $1", row["id"])
                    continue
                link = f"{self._console}/provider/referrals/{row['activity_referral_id']}"
                try:
                    await self._port.send(compose(row["kind"], address, link, row["respond_by"]))
                except (OSError, smtplib.SMTPException) as error:
                    attempts = row["attempts"] + 1
                    log.warning("provider email %s failed (attempt %d): %s", row["id"], attempts, type(error).__name__)
                    await connection.execute(
                        """UPDATE provider_emails SET attempts = $2, next_attempt_at = $3,
                               state = CASE WHEN $2 >= $4 THEN 'failed' ELSE 'pending' END WHERE id = $1""",
                        row["id"],
                        attempts,
                        now + timedelta(seconds=min(3600, 10 * 2**attempts)),
                        MAX_ATTEMPTS,
                    )
                    continue
                await connection.execute(
                    "UPDATE provider_emails SET state = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1",
                    row["id"],
                    now,
                )
                sent += 1
        return sent
