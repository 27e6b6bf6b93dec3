"""`make run`'s local GOV.UK Notify and SMTP server: the notifications service's settings reach both."""

from __future__ import annotations

import json
import smtplib

import pytest
from linkwork_notifications.adapters.channels import NotifyChannel
from linkwork_notifications.domain.delivery import Outcome
from linkwork_notifications.domain.messages import Channel, Reason
from linkwork_stack.notifications import local_messaging, notifications_process
from linkwork_stack.ports import free_port

pytestmark = pytest.mark.integration


async def test_the_stack_s_local_notify_and_smtp_take_messages(capsys: pytest.CaptureFixture[str]) -> None:
    with local_messaging(notify_port=free_port(), smtp_port=free_port()) as messaging:
        process = notifications_process(8006, "postgresql://db", "kafka:9092", "http://referral", "t" * 64, messaging)
        env = process.env
        channel = NotifyChannel(env["LINKWORK_NOTIFY_API_KEY"], env["LINKWORK_NOTIFY_BASE_URL"], messaging.templates)
        assert json.loads(env["LINKWORK_NOTIFY_TEMPLATES"]) == messaging.templates
        values = {"pcn_name": "Demo PCN", "when": "tomorrow"}
        attempt = await channel.send(Channel.SMS, "07700900123", Reason.FOLLOW_UP_REMINDER, values, "ref")
        assert attempt.outcome is Outcome.ACCEPTED
        with smtplib.SMTP("127.0.0.1", int(env["LINKWORK_SMTP_PORT"])) as smtp:
            smtp.sendmail("a@example.org", ["b@example.org"], "Subject: hi\r\n\r\nYour link worker\r\n")
    assert "email to b@example.org" in capsys.readouterr().out
