"""The dispatcher's sending rules against in-memory ports: who gets what, once, and what happens on failure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from linkwork_notifications.adapters.metrics import NotificationMetrics
from linkwork_notifications.domain.delivery import Attempt, Outcome, RetryPolicy
from linkwork_notifications.domain.messages import Channel, Claimed, ContactRoute, Reason, Status
from linkwork_notifications.service_layer.dispatcher import Dispatcher
from notifications_fakes import FakeContactRoutes, FakeMessageStore, FakeSender, FakeSenders
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
ACCEPTED = Attempt(Outcome.ACCEPTED, provider_id="notify-1")
RATE_LIMITED = Attempt(Outcome.TEMPORARY, failure="rate-limited")
SMS = ContactRoute(Channel.SMS, frozenset({Channel.SMS}), phone="07700900123", pcn_name="Leeds North PCN")


def _message(reason: Reason = Reason.FOLLOW_UP_REMINDER, **fields: object) -> Claimed:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "reason": reason,
        "referral_id": uuid.uuid4(),
        "person_ref": "p" * 64,
        "pcn_code": "U00001",
        "link_worker_id": "lw-1",
        "due_on": date(2026, 12, 10),
        "channel": None,
        "attempts": 0,
        "in_doubt": False,
        "created_at": NOW - timedelta(hours=1),
    } | fields
    return Claimed(**values)  # type: ignore[arg-type]


def _dispatcher(
    store: FakeMessageStore,
    routes: FakeContactRoutes,
    sender: FakeSender,
    *,
    max_attempts: int = 3,
) -> Dispatcher:
    def now(zone: ZoneInfo) -> datetime:
        return NOW.astimezone(zone)

    return Dispatcher(
        store,
        routes,
        FakeSenders({Channel.SMS: sender}),
        NotificationMetrics(CollectorRegistry()),
        retry=RetryPolicy(max_attempts=max_attempts),
        batch_size=10,
        lease_seconds=60,
        pcn_names={},
        default_pcn_name="your PCN",
        letters=False,
        timezone="Europe/London",
        acceptance_wait=timedelta(days=14),
        now=now,
    )


async def test_a_reminder_goes_once_by_the_preferred_channel_with_the_message_id_as_reference() -> None:
    store, sender, message = FakeMessageStore(), FakeSender([ACCEPTED]), _message()
    store.add(message)
    dispatcher = _dispatcher(store, FakeContactRoutes({message.referral_id: SMS}), sender)
    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once() == 0
    assert [(s.address, s.reference, s.values) for s in sender.sent] == [
        ("07700900123", str(message.id), {"pcn_name": "Leeds North PCN", "when": "on Thursday"})
    ]
    assert store.status(message.id) is Status.SENT and store.messages[message.id].provider_id == "notify-1"
    assert store.channel_set_before_send == [message.id]


async def test_an_opted_out_person_is_not_messaged_and_the_reason_is_kept() -> None:
    store, sender, message = FakeMessageStore(), FakeSender([ACCEPTED]), _message()
    store.add(message)
    store.opt_outs[message.person_ref] = {Channel.SMS}
    await _dispatcher(store, FakeContactRoutes({message.referral_id: SMS}), sender).run_once()
    assert sender.sent == []
    assert store.status(message.id) is Status.SUPPRESSED
    assert store.messages[message.id].suppressed_because == "opted-out"


async def test_temporary_failures_retry_with_backoff_then_become_a_task_for_the_link_worker() -> None:
    store, sender, message = FakeMessageStore(), FakeSender([RATE_LIMITED]), _message()
    store.add(message)
    dispatcher = _dispatcher(store, FakeContactRoutes({message.referral_id: SMS}), sender, max_attempts=3)
    delays = []
    for _ in range(3):
        await dispatcher.run_once()
        delays.append(store.messages[message.id].retry_in_seconds)
    assert delays == [30.0, 60.0, None]  # RetryPolicy's 30 s doubling, then the attempts are used up
    assert store.status(message.id) is Status.UNDELIVERABLE
    (task,) = store.tasks.values()
    assert (task.kind, task.subject_id, task.link_worker_id) == ("undeliverable", str(message.id), "lw-1")
    assert task.detail == "could not reach by SMS (retries-exhausted:rate-limited)"
    assert "07700900123" not in str(task)


async def test_after_a_crash_mid_send_a_message_that_went_out_is_recorded_not_sent_again() -> None:
    store, message = FakeMessageStore(), _message(channel=Channel.SMS)
    sender = FakeSender([ACCEPTED], earlier={str(message.id): ACCEPTED})
    store.add(message, Status.SENDING)  # a sender died between handing it over and recording the outcome
    await _dispatcher(store, FakeContactRoutes({message.referral_id: SMS}), sender).run_once()
    assert sender.sent == []
    assert store.status(message.id) is Status.SENT


async def test_a_channel_that_cannot_say_what_happened_is_not_resent_at_most_once() -> None:
    store, message = FakeMessageStore(), _message(channel=Channel.SMS)
    sender = FakeSender([ACCEPTED], knows_history=False)
    store.add(message, Status.SENDING)
    await _dispatcher(store, FakeContactRoutes({message.referral_id: SMS}), sender).run_once()
    assert sender.sent == []
    assert store.messages[message.id].failure == "in-doubt-not-resent"
    assert list(store.tasks) == [("undeliverable", str(message.id))]


async def test_the_first_contact_waits_for_acceptance_without_using_an_attempt_then_gives_up() -> None:
    waiting = ContactRoute(Channel.SMS, frozenset({Channel.SMS}), phone="07700900123", accepted=False)
    young, old = _message(Reason.FIRST_CONTACT), _message(Reason.FIRST_CONTACT, created_at=NOW - timedelta(days=15))
    store, sender = FakeMessageStore(), FakeSender([ACCEPTED])
    store.add(young)
    store.add(old)
    routes = FakeContactRoutes({young.referral_id: waiting, old.referral_id: waiting})
    await _dispatcher(store, routes, sender).run_once()
    assert sender.sent == []
    assert store.status(young.id) is Status.PENDING and store.messages[young.id].claimed.attempts == 0
    assert store.status(old.id) is Status.SUPPRESSED
    assert store.messages[old.id].suppressed_because == "not-accepted"


async def test_the_referral_service_away_means_try_later_not_give_up() -> None:
    store, sender, message = FakeMessageStore(), FakeSender([ACCEPTED]), _message()
    store.add(message)
    await _dispatcher(store, FakeContactRoutes(unavailable=True), sender).run_once()
    assert store.status(message.id) is Status.PENDING
    assert store.messages[message.id].failure == "route-unavailable"
    assert store.tasks == {}
