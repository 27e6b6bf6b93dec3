"""The message rules: wording without health details, channel only by preference and consent, retries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from linkwork_notifications.domain.delivery import RetryPolicy
from linkwork_notifications.domain.messages import (
    Channel,
    ContactRoute,
    Reason,
    choose_channel,
    day_phrase,
    personalisation,
    text,
)

pytestmark = pytest.mark.unit

MONDAY = date(2026, 12, 7)
SMS_ROUTE = ContactRoute(Channel.SMS, frozenset({Channel.SMS}), phone="07700900123", email="a@example.org")


def test_reminder_names_the_pcn_and_the_day_only() -> None:
    values = personalisation(Reason.FOLLOW_UP_REMINDER, "Leeds North PCN", MONDAY + timedelta(days=3), MONDAY)
    assert values == {"pcn_name": "Leeds North PCN", "when": "on Thursday"}
    assert text(Reason.FOLLOW_UP_REMINDER, values) == "Your link worker from Leeds North PCN will call you on Thursday."


def test_day_phrases() -> None:
    assert day_phrase(MONDAY, MONDAY) == "today"
    assert day_phrase(MONDAY + timedelta(days=1), MONDAY) == "tomorrow"
    assert day_phrase(MONDAY + timedelta(days=10), MONDAY) == "on Thursday 17 December"


def test_first_contact_text_has_no_health_details() -> None:
    message = text(Reason.FIRST_CONTACT, personalisation(Reason.FIRST_CONTACT, "Leeds North PCN", None, MONDAY))
    assert "Leeds North PCN" in message
    for word in ("mental", "health", "loneliness", "debt", "diagnos"):
        assert word not in message.lower()


def test_preferred_channel_with_consent() -> None:
    assert choose_channel(SMS_ROUTE, frozenset(), letters=False).channel is Channel.SMS


@pytest.mark.parametrize(
    ("route", "opted_out", "because"),
    [
        (None, frozenset(), "no-contact-route"),
        (ContactRoute(None, frozenset({Channel.SMS}), phone="07700900123"), frozenset(), "no-preferred-channel"),
        (ContactRoute(Channel.SMS, frozenset({Channel.EMAIL}), phone="07700900123"), frozenset(), "no-consent"),
        (SMS_ROUTE, frozenset({Channel.SMS}), "opted-out"),
        (ContactRoute(Channel.SMS, frozenset({Channel.SMS})), frozenset(), "no-address"),
        (ContactRoute(Channel.LETTER, frozenset({Channel.LETTER})), frozenset(), "letters-not-enabled"),
    ],
)
def test_no_message_without_a_usable_preferred_route(
    route: ContactRoute | None, opted_out: frozenset[Channel], because: str
) -> None:
    decision = choose_channel(route, opted_out, letters=False)
    assert decision.channel is None
    assert decision.suppressed_because == because


def test_never_falls_back_to_another_channel() -> None:
    # Email is consented and known, but SMS is preferred and opted out: nothing, not an email instead.
    route = ContactRoute(Channel.SMS, frozenset({Channel.SMS, Channel.EMAIL}), phone="07700900123", email="a@b.org")
    assert choose_channel(route, frozenset({Channel.SMS}), letters=False).channel is None


def test_retries_are_bounded_with_backoff() -> None:
    policy = RetryPolicy(max_attempts=3, initial=timedelta(seconds=10), maximum=timedelta(seconds=15))
    assert [policy.delay(n) for n in (1, 2, 3)] == [timedelta(seconds=10), timedelta(seconds=15), None]
