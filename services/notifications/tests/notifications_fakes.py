"""In-memory stand-ins for the dispatcher's and the event handlers' ports (service_layer/ports.py), for tests in
milliseconds.

The PostgreSQL store, the referral service's routes and the real channels keep their own integration tests
(tests/integration); these fakes only have to keep the ports' promises.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from uuid import UUID

from linkwork_notifications.domain.delivery import Attempt
from linkwork_notifications.domain.messages import (
    Channel,
    Claimed,
    ContactRoute,
    NewMessage,
    Reason,
    Settlement,
    Status,
)
from linkwork_notifications.domain.tasks import NewTask
from linkwork_notifications.service_layer.ports import ContactRouteUnavailable, InDoubt, Sender
from linkwork_runtime.testing import FakeConsumerTransactions, FakeTransaction


@dataclass
class StoredMessage:
    claimed: Claimed
    status: Status = Status.PENDING
    provider_id: str | None = None
    failure: str | None = None
    suppressed_because: str | None = None
    retry_in_seconds: float | None = None


@dataclass
class HeardReferral:
    person_ref: str
    pcn_code: str
    created_at: datetime
    first_contact_at: datetime | None = None


class FakeMessageStore(FakeConsumerTransactions["FakeEventRecords"]):
    def __init__(self) -> None:
        self.messages: dict[UUID, StoredMessage] = {}
        self.opt_outs: dict[str, set[Channel]] = {}
        self.tasks: dict[tuple[str, str], NewTask] = {}
        self.channel_set_before_send: list[UUID] = []
        self.referrals: dict[UUID, HeardReferral] = {}
        self.message_keys: set[tuple[str, str, Reason]] = set()  # (event source, event id, reason) of each message
        self.tasks_done: set[tuple[str, str]] = set()

    def begin_records(self) -> FakeEventRecords:
        return FakeEventRecords(self)

    def add(self, message: Claimed, status: Status = Status.PENDING) -> None:
        self.messages[message.id] = StoredMessage(message, status)

    async def claim(self, batch_size: int, lease_seconds: float) -> list[Claimed]:
        due = [m for m in self.messages.values() if m.status in (Status.PENDING, Status.SENDING)][:batch_size]
        taken = []
        for message in due:
            in_doubt = message.status is Status.SENDING
            message.claimed = replace(message.claimed, attempts=message.claimed.attempts + 1, in_doubt=in_doubt)
            message.status = Status.SENDING
            taken.append(message.claimed)
        return taken

    async def set_channel(self, message_id: UUID, channel: Channel) -> None:
        stored = self.messages[message_id]
        stored.claimed = replace(stored.claimed, channel=channel)
        self.channel_set_before_send.append(message_id)

    async def opted_out(self, person_ref: str) -> frozenset[Channel]:
        return frozenset(self.opt_outs.get(person_ref, set()))

    async def settle(self, message_id: UUID, settlement: Settlement) -> None:
        stored = self.messages[message_id]
        stored.status, stored.failure = settlement.status, settlement.failure
        stored.suppressed_because = settlement.suppressed_because
        stored.provider_id = settlement.provider_id or stored.provider_id
        stored.retry_in_seconds = settlement.retry_in_seconds

    async def wait(self, message_id: UUID, seconds: float) -> None:
        stored = self.messages[message_id]
        stored.status, stored.retry_in_seconds = Status.PENDING, seconds
        stored.claimed = replace(stored.claimed, attempts=stored.claimed.attempts - 1)

    async def undeliverable(self, message_id: UUID, failure: str, task: NewTask) -> None:
        await self.settle(message_id, Settlement(Status.UNDELIVERABLE, failure=failure))
        self.tasks.setdefault((task.kind, task.subject_id), task)

    def status(self, message_id: UUID) -> Status:
        return self.messages[message_id].status


class FakeEventRecords(FakeTransaction):
    """The `EventRecords` of one consumer transaction: a transaction (FakeTransaction) over the store's
    referrals, messages and tasks, so the dispatcher or another consumer committing meanwhile keeps what it
    wrote."""

    stored: FakeMessageStore

    def __init__(self, store: FakeMessageStore) -> None:
        super().__init__(store, tables=("referrals", "messages", "message_keys", "tasks", "tasks_done"))

    async def remember_referral(self, referral_id: UUID, person_ref: str, pcn_code: str, created_at: datetime) -> bool:
        if referral_id in self.stored.referrals:
            return False
        self.stored.referrals[referral_id] = HeardReferral(person_ref, pcn_code, created_at)
        return True

    async def record_contact(self, referral_id: UUID, at: datetime) -> None:
        if (referral := self.stored.referrals.get(referral_id)) is not None:
            referral.first_contact_at = min(referral.first_contact_at or at, at)

    async def add_message(self, message: NewMessage) -> None:
        key = (message.event_source, message.event_id, message.reason)
        if key in self.stored.message_keys:
            return
        self.stored.message_keys.add(key)
        claimed = Claimed(
            uuid.uuid4(),
            message.reason,
            message.referral_id,
            message.person_ref,
            message.pcn_code,
            message.link_worker_id,
            message.due_on,
            channel=None,
            attempts=0,
            in_doubt=False,
            created_at=datetime.now(UTC),
        )
        self.stored.messages[claimed.id] = StoredMessage(claimed)

    async def add_task(self, task: NewTask) -> None:
        self.stored.tasks.setdefault((task.kind, task.subject_id), task)

    async def finish_task(self, kind: str, subject_id: str) -> None:
        if (kind, subject_id) in self.stored.tasks:
            self.stored.tasks_done.add((kind, subject_id))


class FakeContactRoutes:
    def __init__(self, routes: dict[UUID, ContactRoute] | None = None, *, unavailable: bool = False) -> None:
        self.routes = routes or {}
        self.unavailable = unavailable

    async def get(self, referral_id: UUID) -> ContactRoute | None:
        if self.unavailable:
            raise ContactRouteUnavailable("the referral service is away")
        return self.routes.get(referral_id)


@dataclass
class Sent:
    channel: Channel
    address: str
    reason: Reason
    values: dict[str, str]
    reference: str


@dataclass
class FakeSender:
    """Answers each send with the next of `answers` (then the last again); remembers what it was given."""

    answers: list[Attempt]
    earlier: dict[str, Attempt] = field(default_factory=dict)
    knows_history: bool = True
    sent: list[Sent] = field(default_factory=list)

    async def send(
        self, channel: Channel, address: str, reason: Reason, values: dict[str, str], reference: str
    ) -> Attempt:
        self.sent.append(Sent(channel, address, reason, values, reference))
        return self.answers[min(len(self.sent), len(self.answers)) - 1]

    async def lookup(self, reference: str) -> Attempt | None:
        if not self.knows_history:
            raise InDoubt("this channel keeps no record")
        return self.earlier.get(reference)


class FakeSenders:
    def __init__(self, by_channel: dict[Channel, Sender]) -> None:
        self.by_channel = by_channel

    def for_channel(self, channel: Channel) -> Sender | None:
        return self.by_channel.get(channel)
