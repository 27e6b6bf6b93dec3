"""The two channels against real servers: the local Notify (its contract in the README) and aiosmtpd."""

from __future__ import annotations

import pytest
from linkwork_notifications.adapters.channels import NotifyChannel, SmtpChannel
from linkwork_notifications.domain.delivery import Outcome
from linkwork_notifications.domain.messages import Channel, Reason
from linkwork_notifications.entrypoints.local_notify import template_ids
from linkwork_notifications.service_layer.ports import InDoubt
from notifications_support import NOTIFY_KEY, free_port, local_notify, smtp_server

pytestmark = pytest.mark.integration

VALUES = {"pcn_name": "Leeds North PCN", "when": "on Thursday"}


async def test_notify_sms_by_template_with_personalisation() -> None:
    with local_notify() as notify:
        channel = NotifyChannel(NOTIFY_KEY, notify.url, template_ids())
        attempt = await channel.send(Channel.SMS, "07700900123", Reason.FOLLOW_UP_REMINDER, VALUES, "ref-1")
        assert attempt.outcome is Outcome.ACCEPTED
        [sent] = notify.messages()
        assert sent["id"] == attempt.provider_id
        assert sent["template"]["id"] == template_ids()["follow-up-reminder/sms"]
        assert sent["personalisation"] == VALUES
        assert sent["body"] == "Your link worker from Leeds North PCN will call you on Thursday."
        found = await channel.lookup("ref-1")
        assert found is not None and found.provider_id == attempt.provider_id
        assert await channel.lookup("ref-unknown") is None


@pytest.mark.parametrize(
    ("status", "outcome", "failure"),
    [
        (429, Outcome.TEMPORARY, "rate-limited"),
        (500, Outcome.TEMPORARY, "provider-unavailable"),
        (403, Outcome.PERMANENT, "auth-error"),
    ],
)
async def test_notify_error_responses(status: int, outcome: Outcome, failure: str) -> None:
    with local_notify() as notify:
        notify.fail_next(status)
        channel = NotifyChannel(NOTIFY_KEY, notify.url, template_ids())
        attempt = await channel.send(Channel.SMS, "07700900123", Reason.FOLLOW_UP_REMINDER, VALUES, "r")
        assert (attempt.outcome, attempt.failure) == (outcome, failure)
        assert notify.messages() == []


async def test_notify_rate_limit_window() -> None:
    with local_notify() as notify:
        notify.state.rate_limit = 2
        channel = NotifyChannel(NOTIFY_KEY, notify.url, template_ids())
        outcomes = [
            (await channel.send(Channel.SMS, "07700900123", Reason.FIRST_CONTACT, VALUES, f"r{i}")).outcome
            for i in range(3)
        ]
        assert outcomes == [Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.TEMPORARY]


async def test_notify_invalid_number_wrong_key_and_missing_template_are_permanent() -> None:
    with local_notify() as notify:
        channel = NotifyChannel(NOTIFY_KEY, notify.url, template_ids())
        invalid = await channel.send(Channel.SMS, "0113 496 0000", Reason.FIRST_CONTACT, VALUES, "r")
        assert (invalid.outcome, invalid.failure) == (Outcome.PERMANENT, "invalid-recipient")
        wrong_key = NOTIFY_KEY[:-4] + "0000"
        denied = await NotifyChannel(wrong_key, notify.url, template_ids()).send(
            Channel.SMS, "07700900123", Reason.FIRST_CONTACT, VALUES, "r"
        )
        assert (denied.outcome, denied.failure) == (Outcome.PERMANENT, "auth-error")
        unknown = await NotifyChannel(NOTIFY_KEY, notify.url, {"first-contact/sms": "nope"}).send(
            Channel.SMS, "07700900123", Reason.FIRST_CONTACT, VALUES, "r"
        )
        assert (unknown.outcome, unknown.failure) == (Outcome.PERMANENT, "invalid-request")
        assert notify.messages() == []


async def test_smtp_email_to_a_real_server() -> None:
    with smtp_server() as (port, inbox):
        channel = SmtpChannel("127.0.0.1", port, "linkwork <no-reply@linkwork.test>")
        attempt = await channel.send(Channel.EMAIL, "person@example.org", Reason.FOLLOW_UP_REMINDER, VALUES, "ref-9")
        assert attempt.outcome is Outcome.ACCEPTED
        [message] = inbox.messages
        assert message["To"] == "person@example.org"
        assert message["Message-ID"] == "<ref-9@linkwork.notifications>"
        assert "Your link worker from Leeds North PCN will call you on Thursday." in message.get_payload()
        inbox.refuse.add("gone@example.org")
        refused = await channel.send(Channel.EMAIL, "gone@example.org", Reason.FIRST_CONTACT, VALUES, "ref-10")
        assert refused.outcome is Outcome.PERMANENT
        with pytest.raises(InDoubt):
            await channel.lookup("ref-9")


async def test_smtp_server_down_is_temporary() -> None:
    port = free_port()  # nobody listens on it
    attempt = await SmtpChannel("127.0.0.1", port, "x@y.test", timeout=2).send(
        Channel.EMAIL, "person@example.org", Reason.FIRST_CONTACT, VALUES, "r"
    )
    assert (attempt.outcome, attempt.failure) == (Outcome.TEMPORARY, "smtp-unavailable")
