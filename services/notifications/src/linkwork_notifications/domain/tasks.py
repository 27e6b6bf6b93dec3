"""The link worker's task list: what goes on it when a message cannot reach a person, or a follow-up is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from linkwork_notifications.domain.messages import Channel

TaskKind = Literal["follow-up-due", "first-contact-overdue", "undeliverable", "provider-no-response"]
_CHANNEL_WORDS = {Channel.SMS: "SMS", Channel.EMAIL: "email", Channel.LETTER: "letter"}


@dataclass(frozen=True)
class NewTask:
    """One task; (kind, subject_id) is its identity, so raising it again changes nothing."""

    kind: TaskKind
    subject_id: str
    referral_id: UUID
    pcn_code: str
    link_worker_id: str | None
    due_on: date
    detail: str | None = None


@dataclass(frozen=True)
class OpenTask:
    """A task as the link worker's list shows it."""

    kind: TaskKind
    referral_id: UUID
    due_on: date
    link_worker_id: str | None
    detail: str | None


def undeliverable(
    message_id: UUID,
    referral_id: UUID,
    pcn_code: str,
    link_worker_id: str | None,
    channel: Channel | None,
    failure: str,
    today: date,
) -> NewTask:
    """'could not reach by SMS (invalid-recipient)', due today, linked to the referral.

    `failure` is a short code, never the address: the task list is read by the whole PCN team."""
    words = _CHANNEL_WORDS.get(channel, "message") if channel else "message"
    return NewTask(
        kind="undeliverable",
        subject_id=str(message_id),
        referral_id=referral_id,
        pcn_code=pcn_code,
        link_worker_id=link_worker_id,
        due_on=today,
        detail=f"could not reach by {words} ({failure})",
    )
