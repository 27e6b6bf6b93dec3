"""The ports the dispatcher and the event handlers talk to: storage (PostgreSQL in adapters/store.py), the
person's contact route (the referral service, adapters/contacts.py) and the channels (GOV.UK Notify and SMTP,
adapters/channels.py).

Ports, so the sending rules (exactly once, bounded retries, in-doubt recovery, suppression) and what each event
records are unit-tested against in-memory fakes in milliseconds (tests/notifications_fakes.py), and SQL and HTTP
stay in the adapters.

Event handlers run inside the consumer's transaction, which also records the event in the inbox: they take the
store's `EventRecords` `joining` that transaction (`MessageStore.joining`), so the message intents and tasks an
event causes commit with the event's receipt, and the dispatcher only ever sends what committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from linkwork_runtime.messaging.handlers import ConsumerTransaction as ConsumerTransaction

from linkwork_notifications.domain.delivery import Attempt
from linkwork_notifications.domain.messages import Channel, Claimed, ContactRoute, NewMessage, Reason, Settlement
from linkwork_notifications.domain.tasks import NewTask


class EventRecords(Protocol):
    """What an event handler records within the transaction it joined: referrals heard of, message intents and
    link workers' tasks. Each write is idempotent, so a redelivered event adds nothing."""

    async def remember_referral(self, referral_id: UUID, person_ref: str, pcn_code: str, created_at: datetime) -> bool:
        """Record a referral; True if it is new (a later version of referral-created changes nothing here)."""
        ...

    async def record_contact(self, referral_id: UUID, at: datetime) -> None:
        """A contact made with the referral's person; the earliest one is kept as the first contact."""
        ...

    async def add_message(self, message: NewMessage) -> None:
        """A message to send, pending for the dispatcher; once per (event, reason)."""
        ...

    async def add_task(self, task: NewTask) -> None:
        """A task on the link workers' list; one per (kind, subject)."""
        ...

    async def finish_task(self, kind: str, subject_id: str) -> None:
        """The open task of this kind and subject is done (none open: nothing changes)."""
        ...


class MessageStore(Protocol):
    def joining(self, transaction: ConsumerTransaction) -> EventRecords:
        """The event handlers' records inside a transaction its caller owns and ends (the consumer's inbox
        transaction): what they write commits or rolls back with that transaction, never on its own."""
        ...

    async def claim(self, batch_size: int, lease_seconds: float) -> list[Claimed]:
        """Take due messages under a lease, committed before anything is sent (a crash leaves them in doubt)."""
        ...

    async def set_channel(self, message_id: UUID, channel: Channel) -> None:
        """Recorded before sending, so a sender after a crash asks the right provider what happened."""
        ...

    async def opted_out(self, person_ref: str) -> frozenset[Channel]: ...

    async def settle(self, message_id: UUID, settlement: Settlement) -> None:
        """Record the outcome of a claimed message; `retry_in_seconds` puts it back to pending for later."""
        ...

    async def wait(self, message_id: UUID, seconds: float) -> None:
        """Put a claimed message back for later without using up an attempt (waiting, not failing)."""
        ...

    async def undeliverable(self, message_id: UUID, failure: str, task: NewTask) -> None:
        """Mark it undeliverable and put the task on the link worker's list, together or not at all."""
        ...


class ContactRouteUnavailable(Exception):
    """The referral service could not answer now; the send is retried later."""


class ContactRoutes(Protocol):
    async def get(self, referral_id: UUID) -> ContactRoute | None:
        """The person's route for one send (None: the referral service knows no route); never stored."""
        ...


class InDoubt(Exception):
    """The channel cannot say whether an interrupted send went out."""


class Sender(Protocol):
    async def send(
        self, channel: Channel, address: str, reason: Reason, values: dict[str, str], reference: str
    ) -> Attempt: ...

    async def lookup(self, reference: str) -> Attempt | None:
        """What became of an earlier send with this reference (None: it never reached the provider).

        Raises `InDoubt` when the channel cannot tell (SMTP keeps no record we can query)."""
        ...


class Senders(Protocol):
    def for_channel(self, channel: Channel) -> Sender | None:
        """The sender that carries `channel` in this deployment, if any."""
        ...


class MessageCounts(Protocol):
    def count(self, channel: str | None, outcome: str) -> None:
        """One message more with this outcome (sent, failed, retried, suppressed) on this channel (None: none
        was chosen); adapters/metrics.py counts them for Prometheus."""
        ...
